from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import NotificationViewSet, WhatsAppInboundView, WhatsAppStatusView

app_name = "notifications"

router = SimpleRouter()
router.register("", NotificationViewSet, basename="notification")

urlpatterns = [
    path("whatsapp/status/", WhatsAppStatusView.as_view(), name="whatsapp-status"),
    path("whatsapp/inbound/", WhatsAppInboundView.as_view(), name="whatsapp-inbound"),
    *router.urls,
]
