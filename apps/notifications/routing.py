"""WebSocket routes of the notifications app."""

from django.urls import path

from .consumers import NotificationConsumer, TokenAuthMiddleware

websocket_urlpatterns = [
    path(
        "ws/notifications/",
        TokenAuthMiddleware(NotificationConsumer.as_asgi()),
        name="ws-notifications",
    ),
]
