from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import FlagViewSet, LocalizationView

router = SimpleRouter()
router.register("flags", FlagViewSet, basename="feature-flag")

urlpatterns = [
    path("localization/", LocalizationView.as_view(), name="localization"),
    *router.urls,
]
