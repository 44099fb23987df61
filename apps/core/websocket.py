"""Origin checks for WebSocket handshakes."""

from channels.security.websocket import OriginValidator
from django.conf import settings


class BrowserOriginValidator(OriginValidator):
    """Refuse a handshake whose Origin is not one of the allowed hosts.

    Browsers always send Origin with a WebSocket handshake, and it is what
    stops another site's page from opening a socket with the user's session
    cookie. A handshake without one comes from a program (a mobile app, a
    script) that authenticates with `?token=`, so it is let through; the
    consumer still closes it with 4401 when it carries no valid credentials.
    """

    def valid_origin(self, parsed_origin) -> bool:
        if parsed_origin is None:
            return True
        return super().valid_origin(parsed_origin)


def browser_origin_validator(application) -> BrowserOriginValidator:
    """The validator over `settings.ALLOWED_HOSTS`, as Channels' own factory
    builds it (loopback names when DEBUG runs with no hosts set)."""
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    return BrowserOriginValidator(application, allowed_hosts)
