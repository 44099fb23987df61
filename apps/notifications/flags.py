"""The company flags that switch notification channels on and off."""

from importlib import import_module
from importlib.util import find_spec

WHATSAPP = "whatsapp_notifications"
EMAIL = "email_notifications"
REMINDERS = "appointment_reminders"
WEBSOCKET = "websocket_notifications"

FLAG_SERVICES = "apps.feature_flags.services"


def is_enabled(name: str, *, company=None, user=None) -> bool:
    """Whether flag `name` is on for the company (and user).

    The flag registry lives in `apps.feature_flags`; while that app has no
    services module every channel is on, which is the product's default.
    """
    if find_spec(FLAG_SERVICES) is None:
        return True
    return import_module(FLAG_SERVICES).is_enabled(name, company=company, user=user)
