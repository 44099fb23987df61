"""WebSocket routes, served under /ws/."""

from apps.notifications.routing import (
    websocket_urlpatterns as notifications_websocket_urlpatterns,
)

websocket_urlpatterns: list = [*notifications_websocket_urlpatterns]
