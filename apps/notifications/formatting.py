"""How customer-facing texts show times and pick a language. No ORM here."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, translation

# Portuguese uses Django's own short format (dd/mm/yyyy HH:mm); Django's
# English formats spell "a.m." and drop the minutes at the full hour, so
# English gets the format its readers expect ("Mar 14, 2027 10:00 AM").
DATETIME_FORMATS = {"pt-br": "SHORT_DATETIME_FORMAT", "en": "M j, Y g:i A"}


def pick_language(*candidates: str | None) -> str:
    """The first supported language among the candidates, else the default."""
    supported = {code for code, _name in settings.LANGUAGES}
    for candidate in candidates:
        if candidate in supported:
            return candidate
    return settings.LANGUAGE_CODE


def format_local_datetime(value: datetime, zone: ZoneInfo, language: str) -> str:
    """`value` as wall-clock time in `zone`, written the way `language` reads."""
    local = value.astimezone(zone)
    with translation.override(language):
        return formats.date_format(
            local, DATETIME_FORMATS.get(language, "DATETIME_FORMAT")
        )
