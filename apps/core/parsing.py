"""Reading dates and datetimes from requests, inside the calendar we support.

Python's calendar ends in year 9999; a date near either end overflows as
soon as a zone's offset, a day of margin or a duration is added. Requests
may only name days between years 1900 and 2999, far beyond any booking
horizon, so every later calculation stays inside the calendar.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def _out_of_range(field: str) -> ValidationFailed:
    return ValidationFailed(
        fields={
            field: [
                str(
                    _("Use a date between %(earliest)s and %(latest)s.")
                    % {
                        "earliest": EARLIEST_DAY.isoformat(),
                        "latest": LATEST_DAY.isoformat(),
                    }
                )
            ]
        }
    )


def parse_day(value: str | None, field: str) -> date | None:
    """Read a `YYYY-MM-DD` query value; None when it is absent or empty."""
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            fields={field: [str(_("Use the format YYYY-MM-DD."))]}
        ) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise _out_of_range(field)
    return day


def parse_local_datetime(value, tz: ZoneInfo, field: str) -> datetime:
    """Read an ISO 8601 datetime, in UTC; one without an offset is in `tz`.

    Raises ValidationFailed for anything else: text that is no datetime, an
    impossible offset, or a day outside the supported calendar.
    """
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationFailed(
            fields={field: [str(_("Use an ISO 8601 datetime, e.g. 2027-03-14T10:00."))]}
        )
    if not EARLIEST_DAY <= parsed.date() <= LATEST_DAY:
        raise _out_of_range(field)
    if timezone.is_naive(parsed):
        aware = parsed.replace(tzinfo=tz)
        # A wall time inside a spring-forward gap (02:30 on the night New
        # York moves to 03:00) does not exist; zoneinfo would quietly move
        # it an hour. It is refused instead; a repeated time in the fall-back
        # hour means its first pass.
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != parsed:
            raise ValidationFailed(
                fields={
                    field: [
                        str(
                            _(
                                "This local time does not exist in %(zone)s "
                                "(the clocks skip it); give another time or "
                                "an offset."
                            )
                            % {"zone": tz.key}
                        )
                    ]
                }
            )
        parsed = aware
    # In UTC: arithmetic on a datetime in a ZoneInfo zone is wall-clock
    # arithmetic, an hour off across a DST change.
    return parsed.astimezone(UTC)


# The largest value of the 64-bit integer columns that hold ids; a larger
# number in a filter would overflow the database driver, not just miss.
MAX_ID = 2**63 - 1


def is_id(value: str | None) -> bool:
    """True when a query value is a plain non-negative id the database holds."""
    return (
        value is not None
        and value.isascii()
        and value.isdigit()
        and int(value) <= MAX_ID
    )
