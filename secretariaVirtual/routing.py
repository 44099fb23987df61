"""WebSocket routes, served under /ws/."""

websocket_urlpatterns: list = []
