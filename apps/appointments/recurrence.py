"""Recurrence rules for appointment series and recurring time blocks.

A rule is stored as RFC 5545 RRULE text and expanded by dateutil in the
company's local wall-clock time, so a 10:00 series stays at 10:00 on both
sides of a DST change. Plain values in and out: no Django, no ORM.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

MAX_OCCURRENCES = 200
# A bounded series may end at most this long after its start (UNTIL only: a
# COUNT series is held by MAX_OCCURRENCES and MAX_HORIZON instead).
MAX_SPAN = relativedelta(years=2)
# How far past dtstart occurrences are looked for; a COUNT rule that has not
# produced all of them by then is too long. No booking series plausibly
# reaches further, and the search must stop somewhere (see _search_shift).
MAX_HORIZON = relativedelta(years=100)
# RRULE text longer than this is refused before parsing: real rules are a
# few dozen characters, and it keeps int() away from huge digit strings.
MAX_RULE_LENGTH = 1000

INVALID_RECURRENCE = "invalid_recurrence"
RECURRENCE_TOO_LONG = "recurrence_too_long"
RECURRENCE_EMPTY = "recurrence_empty"

# The only messages RecurrenceError carries, so each can be translated.
MESSAGE_INVALID = "The recurrence rule is not valid."
MESSAGE_COUNT_OR_UNTIL = (
    "Give either a count or an end date for the recurrence, not both."
)
MESSAGE_UNBOUNDED = "The recurrence never ends: give a count or an end date."
MESSAGE_TOO_MANY = "The recurrence has too many occurrences."
MESSAGE_TOO_FAR = "The recurrence ends too far in the future."
MESSAGE_EMPTY = "The recurrence has no occurrences."
MESSAGES = (
    MESSAGE_INVALID,
    MESSAGE_COUNT_OR_UNTIL,
    MESSAGE_UNBOUNDED,
    MESSAGE_TOO_MANY,
    MESSAGE_TOO_FAR,
    MESSAGE_EMPTY,
)

FREQUENCIES = ("daily", "weekly", "monthly", "yearly")
MONTHLY_BY = ("day_of_month", "weekday_position", "last_day")
POSITIONS = (1, 2, 3, 4, -1)

_DEFAULT_MESSAGES = {
    INVALID_RECURRENCE: MESSAGE_INVALID,
    RECURRENCE_TOO_LONG: MESSAGE_TOO_MANY,
    RECURRENCE_EMPTY: MESSAGE_EMPTY,
}
_SPEC_FIELDS = frozenset(
    {"frequency", "interval", "weekdays", "monthly_by", "position", "count", "until"}
)
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# BYHOUR, BYMINUTE and BYSECOND are left out on purpose: every occurrence
# keeps dtstart's time of day, at most one a day. Sub-daily frequencies and
# dateutil's non-standard BYEASTER are refused for the same reason.
_FREQS = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_NUMBER_LISTS = {
    # name: (largest absolute value, whether negative values are allowed)
    "BYMONTHDAY": (31, True),
    "BYYEARDAY": (366, True),
    "BYWEEKNO": (53, True),
    "BYMONTH": (12, False),
    "BYSETPOS": (366, True),
}
_PART_NAMES = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST", *_NUMBER_LISTS}
)
# RFC 5545 3.3.10 restricts these parts to some frequencies.
_PART_FREQS = {
    "BYMONTHDAY": frozenset({"DAILY", "MONTHLY", "YEARLY"}),
    "BYYEARDAY": frozenset({"YEARLY"}),
    "BYWEEKNO": frozenset({"YEARLY"}),
}
_WEEKDAY_PATTERN = re.compile(r"MO|TU|WE|TH|FR|SA|SU")
_BYDAY_ITEM_PATTERN = re.compile(r"([+-]?)([0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL_PATTERN = re.compile(r"[0-9]{8}(T[0-9]{6}(Z)?)?")

# Offsets of one zone differ by at most a day (Samoa skipped exactly one in
# 2011), so once the wall-clock time is a day past a local bound, no later
# occurrence can still fall before that bound's instant.
_OFFSET_MARGIN = timedelta(days=1)
# The Gregorian calendar repeats every 400 years: 146,097 days, a whole
# number of weeks, with the same leap years and ISO weeks.
_GREGORIAN_CYCLE_YEARS = 400
_GREGORIAN_CYCLE = timedelta(days=146_097)


class RecurrenceError(ValueError):
    """A recurrence that cannot be used; `code` says why, `message` in English.

    The message is always one of MESSAGES, so the caller can translate it.
    """

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or _DEFAULT_MESSAGES[code]
        super().__init__(self.message)


@dataclass(frozen=True)
class RecurrenceSpec:
    """The structured `recurrence` object of the API, validated on creation.

    `weekdays` count 0 = Monday .. 6 = Sunday and serve weekly rules and
    monthly `weekday_position` rules only; `monthly_by` defaults to
    `day_of_month`; `position` (1..4, or -1 for the last) serves
    `weekday_position` only. Exactly one of `count` and `until` is set;
    `until` includes its whole day in the company's zone.

    Raises RecurrenceError: `recurrence_too_long` for a count above
    MAX_OCCURRENCES, `invalid_recurrence` for anything else out of place.
    """

    frequency: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    monthly_by: str | None = None
    position: int | None = None
    count: int | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise RecurrenceError(INVALID_RECURRENCE)
        if not _is_int(self.interval) or self.interval < 1:
            raise RecurrenceError(INVALID_RECURRENCE)
        if not isinstance(self.weekdays, tuple) or not all(
            _is_int(day) and 0 <= day <= 6 for day in self.weekdays
        ):
            raise RecurrenceError(INVALID_RECURRENCE)
        if self.frequency == "monthly":
            if self.monthly_by is not None and self.monthly_by not in MONTHLY_BY:
                raise RecurrenceError(INVALID_RECURRENCE)
        elif self.monthly_by is not None:
            raise RecurrenceError(INVALID_RECURRENCE)
        is_by_position = self.monthly_by == "weekday_position"
        if self.position is not None and (
            not is_by_position or self.position not in POSITIONS
        ):
            raise RecurrenceError(INVALID_RECURRENCE)
        if self.weekdays and self.frequency != "weekly" and not is_by_position:
            raise RecurrenceError(INVALID_RECURRENCE)

        if self.count is None and self.until is None:
            raise RecurrenceError(INVALID_RECURRENCE, MESSAGE_UNBOUNDED)
        if self.count is not None and self.until is not None:
            raise RecurrenceError(INVALID_RECURRENCE, MESSAGE_COUNT_OR_UNTIL)
        if self.count is not None:
            if not _is_int(self.count) or self.count < 1:
                raise RecurrenceError(INVALID_RECURRENCE)
            if self.count > MAX_OCCURRENCES:
                raise RecurrenceError(RECURRENCE_TOO_LONG, MESSAGE_TOO_MANY)
        if self.until is not None and (
            not isinstance(self.until, date) or isinstance(self.until, datetime)
        ):
            raise RecurrenceError(INVALID_RECURRENCE)


@dataclass(frozen=True)
class _Rule:
    """RRULE parts checked against RFC 5545, with COUNT and UNTIL apart."""

    parts: dict[str, str]
    count: int | None
    # A date, a floating (naive) local datetime, or an aware UTC datetime.
    until: date | None


def parse_spec(data: Mapping[str, Any]) -> RecurrenceSpec | str:
    """Validate the API's `recurrence` object.

    Returns a RecurrenceSpec, or for `{"rrule": "..."}` the RRULE text as
    sent, once its syntax has been checked (its limits are checked by
    `expand`, which knows dtstart). `null` stands for an absent optional
    field; `until` is an ISO 8601 date string or a date.

    Raises RecurrenceError: `recurrence_too_long` for a count above
    MAX_OCCURRENCES, `invalid_recurrence` for wrong types or values, unknown
    keys, an unknown frequency, or both or neither of count and until.
    """
    if not isinstance(data, Mapping):
        raise RecurrenceError(INVALID_RECURRENCE)
    if "rrule" in data:
        text = data["rrule"]
        if len(data) != 1 or not isinstance(text, str):
            raise RecurrenceError(INVALID_RECURRENCE)
        _parse_rule(text)
        return text

    if not data.keys() <= _SPEC_FIELDS:
        raise RecurrenceError(INVALID_RECURRENCE)
    fields = {name: value for name, value in data.items() if value is not None}
    if "frequency" not in fields:
        raise RecurrenceError(INVALID_RECURRENCE)
    if "weekdays" in fields:
        if not isinstance(fields["weekdays"], list | tuple):
            raise RecurrenceError(INVALID_RECURRENCE)
        fields["weekdays"] = tuple(fields["weekdays"])
    if isinstance(fields.get("until"), str):
        try:
            fields["until"] = date.fromisoformat(fields["until"])
        except ValueError as exc:
            raise RecurrenceError(INVALID_RECURRENCE) from exc
    return RecurrenceSpec(**fields)


def build_rrule_text(spec: RecurrenceSpec, *, dtstart: datetime) -> str:
    """Turn a spec into RFC 5545 RRULE text, without DTSTART.

    dtstart must be aware and expressed in the company's zone: its local
    date supplies what the spec leaves out (the weekday of a weekly rule,
    the day of a monthly or yearly one) and its zone places `until`, which
    becomes UNTIL at the end of that local day, in UTC. A monthly
    `day_of_month` rule on the 29th to 31st skips months without that day;
    `last_day` is BYMONTHDAY=-1; a missing `weekday_position` position is
    dtstart's (its 5th weekday counts as the last). A yearly rule names
    dtstart's month and day, so one from 29 February repeats in leap years
    only. Weekdays are written in calendar order.

    Example: "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=10".
    """
    if dtstart.tzinfo is None:
        raise ValueError("dtstart must be timezone-aware")

    parts = [f"FREQ={spec.frequency.upper()}", f"INTERVAL={spec.interval}"]
    weekdays = sorted(set(spec.weekdays or (dtstart.weekday(),)))
    if spec.frequency == "weekly":
        parts.append("BYDAY=" + ",".join(_WEEKDAY_CODES[day] for day in weekdays))
    elif spec.frequency == "monthly" and spec.monthly_by == "last_day":
        parts.append("BYMONTHDAY=-1")
    elif spec.frequency == "monthly" and spec.monthly_by == "weekday_position":
        position = spec.position or _weekday_position(dtstart.day)
        parts.append(
            "BYDAY=" + ",".join(f"{position:+d}{_WEEKDAY_CODES[d]}" for d in weekdays)
        )
    elif spec.frequency == "monthly":
        parts.append(f"BYMONTHDAY={dtstart.day}")
    elif spec.frequency == "yearly":
        parts += [f"BYMONTH={dtstart.month}", f"BYMONTHDAY={dtstart.day}"]

    if spec.until is not None:
        # Checked here as well as before expansion: an `until` near the end
        # of the calendar would overflow the conversion to UTC.
        if spec.until > dtstart.date() + MAX_SPAN:
            raise RecurrenceError(RECURRENCE_TOO_LONG, MESSAGE_TOO_FAR)
        until = _end_of_day(spec.until, dtstart.tzinfo).astimezone(UTC)
        parts.append(f"UNTIL={until:%Y%m%dT%H%M%SZ}")
    else:
        parts.append(f"COUNT={spec.count}")
    return ";".join(parts)


def expand(
    rrule_text: str,
    *,
    dtstart: datetime,
    tz: ZoneInfo,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    limit: int = MAX_OCCURRENCES,
) -> list[datetime]:
    """List a rule's occurrence starts as aware datetimes in `tz`, in order.

    The rule runs in tz's wall-clock time from dtstart's local time, to the
    second: a daily 10:00 rule stays at 10:00 local across DST. A local time
    inside a DST gap means what zoneinfo makes of it with fold=0 (02:30 on a
    spring-forward night is returned as 03:30 of the new offset). As in
    dateutil, dtstart is an occurrence only if it matches the rule.

    The text may start with "RRULE:"; FREQ must be DAILY, WEEKLY, MONTHLY or
    YEARLY; BYHOUR, BYMINUTE, BYSECOND, DTSTART and any other line or part
    outside RFC 5545's RRULE are refused. UNTIL in UTC ("...Z") bounds the
    occurrence's instant, inclusively; a floating UNTIL is read as tz's
    wall-clock time and a date-only UNTIL includes that whole local day.

    With a window (both bounds or neither), returns the occurrences starting
    in [window_start, window_end), which may be none; expansion stops past
    window_end, so the rule may be unbounded. COUNT still counts from
    dtstart.

    Raises RecurrenceError: `invalid_recurrence` for any malformed text;
    `recurrence_too_long` for more than `limit` occurrences, and, without a
    window, for a rule with neither COUNT nor UNTIL, an UNTIL later than the
    local day two years after dtstart's, or a COUNT not reached within
    MAX_HORIZON; `recurrence_empty`, without a window, when nothing occurs.
    """
    if dtstart.tzinfo is None:
        raise ValueError("dtstart must be timezone-aware")
    if (window_start is None) != (window_end is None):
        raise ValueError("give both window bounds or neither")

    window = None
    if window_start is not None and window_end is not None:
        window = (window_start.astimezone(UTC), window_end.astimezone(UTC))

    rule = _parse_rule(rrule_text)
    try:
        return _expand_rule(rule, dtstart=dtstart, tz=tz, window=window, limit=limit)
    except RecurrenceError:
        raise
    # Only dates within reach of the year 9999 get here, overflowing datetime.
    except (OverflowError, ValueError) as exc:
        raise RecurrenceError(INVALID_RECURRENCE) from exc


def _expand_rule(
    rule: _Rule,
    *,
    dtstart: datetime,
    tz: ZoneInfo,
    window: tuple[datetime, datetime] | None,
    limit: int,
) -> list[datetime]:
    """Expand a parsed rule; the body of `expand`, which documents it."""
    # dateutil keeps whole seconds only.
    local_start = dtstart.astimezone(tz).replace(microsecond=0)
    until = None if rule.until is None else _until_instant(rule.until, tz)
    if window is None:
        _check_limits(rule, until, local_start=local_start, limit=limit)

    search_end = _wall_clock(local_start) + MAX_HORIZON
    if until is not None:
        search_end = min(search_end, _wall_clock(until, tz) + _OFFSET_MARGIN)
    if window is not None:
        search_end = min(search_end, _wall_clock(window[1], tz) + _OFFSET_MARGIN)

    starts: list[datetime] = []
    seen = 0
    for wall_clock in _wall_clock_occurrences(rule, local_start, search_end):
        start = _in_zone(wall_clock, local_start, tz)
        instant = start.astimezone(UTC)
        # Not a break: near a DST change a later wall-clock time can be an
        # earlier instant; the search end stops the loop soon enough.
        if until is not None and instant > until:
            continue

        seen += 1
        if window is None or window[0] <= instant < window[1]:
            starts.append(start)
            if len(starts) > limit:
                raise RecurrenceError(RECURRENCE_TOO_LONG, MESSAGE_TOO_MANY)
        if seen == rule.count:
            break

    if window is None:
        if not starts:
            raise RecurrenceError(RECURRENCE_EMPTY, MESSAGE_EMPTY)
        if rule.count is not None and seen < rule.count:
            raise RecurrenceError(RECURRENCE_TOO_LONG, MESSAGE_TOO_FAR)
    return starts


def _parse_rule(text: str) -> _Rule:
    """Check RRULE text part by part, before dateutil sees it."""
    if not isinstance(text, str) or len(text) > MAX_RULE_LENGTH:
        raise RecurrenceError(INVALID_RECURRENCE)
    text = text.strip().upper().removeprefix("RRULE:")

    parts: dict[str, str] = {}
    for part in text.split(";"):
        name, _, value = part.partition("=")
        if name not in _PART_NAMES or name in parts or not value:
            raise RecurrenceError(INVALID_RECURRENCE)
        parts[name] = value
    freq = parts.get("FREQ", "")
    if freq not in _FREQS:
        raise RecurrenceError(INVALID_RECURRENCE)
    if not all(
        freq in _PART_FREQS.get(name, _FREQS) and _is_valid_part(name, value, freq)
        for name, value in parts.items()
    ):
        raise RecurrenceError(INVALID_RECURRENCE)
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError(INVALID_RECURRENCE, MESSAGE_COUNT_OR_UNTIL)

    count = parts.pop("COUNT", None)
    until = parts.pop("UNTIL", None)
    return _Rule(
        parts=parts,
        count=None if count is None else int(count),
        until=None if until is None else _parse_until(until),
    )


def _is_valid_part(name: str, value: str, freq: str) -> bool:
    """Whether one RRULE part's value has RFC 5545's form and range."""
    if name in ("INTERVAL", "COUNT"):
        return value.isascii() and value.isdigit() and int(value) >= 1
    if name == "WKST":
        return _WEEKDAY_PATTERN.fullmatch(value) is not None
    if name == "UNTIL":
        return _UNTIL_PATTERN.fullmatch(value) is not None
    if name == "BYDAY":
        return all(_is_valid_byday(item, freq) for item in value.split(","))
    if name in _NUMBER_LISTS:
        highest, is_signed = _NUMBER_LISTS[name]
        pattern = r"[+-]?[0-9]{1,3}" if is_signed else r"[0-9]{1,2}"
        return all(
            re.fullmatch(pattern, item) is not None and 1 <= abs(int(item)) <= highest
            for item in value.split(",")
        )
    return True


def _is_valid_byday(item: str, freq: str) -> bool:
    """Whether a BYDAY item ("MO", "+2TU", "-1FR") suits the frequency."""
    match = _BYDAY_ITEM_PATTERN.fullmatch(item)
    if match is None:
        return False
    sign, ordinal, _ = match.groups()
    if ordinal is None:
        return not sign
    # A numbered weekday counts within a month or a year, and a month holds
    # at most five of each weekday; dateutil fails on a larger one.
    highest = {"MONTHLY": 5, "YEARLY": 53}.get(freq, 0)
    return 1 <= int(ordinal) <= highest


def _parse_until(value: str) -> date:
    """Read an UNTIL value: a date, a floating datetime or a UTC datetime."""
    try:
        if value.endswith("Z"):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if "T" in value:
            return datetime.strptime(value, "%Y%m%dT%H%M%S")
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError as exc:
        raise RecurrenceError(INVALID_RECURRENCE) from exc


def _until_instant(until: date, tz: ZoneInfo) -> datetime:
    """The UTC instant an UNTIL value stands for in the company's zone."""
    try:
        if not isinstance(until, datetime):
            return _end_of_day(until, tz).astimezone(UTC)
        if until.tzinfo is None:
            return until.replace(tzinfo=tz).astimezone(UTC)
        return until.astimezone(UTC)
    except OverflowError:
        # Only an UNTIL at the very end of the calendar overflows.
        raise RecurrenceError(RECURRENCE_TOO_LONG, MESSAGE_TOO_FAR) from None


def _check_limits(
    rule: _Rule, until: datetime | None, *, local_start: datetime, limit: int
) -> None:
    """Refuse, before expanding, a rule that cannot be within the limits."""
    if rule.count is None and until is None:
        raise RecurrenceError(RECURRENCE_TOO_LONG, MESSAGE_UNBOUNDED)
    if rule.count is not None and rule.count > limit:
        raise RecurrenceError(RECURRENCE_TOO_LONG, MESSAGE_TOO_MANY)
    last_day = local_start.date() + MAX_SPAN
    if until is not None and until > _end_of_day(last_day, local_start.tzinfo):
        raise RecurrenceError(RECURRENCE_TOO_LONG, MESSAGE_TOO_FAR)


def _wall_clock_occurrences(
    rule: _Rule, local_start: datetime, search_end: datetime
) -> Iterator[datetime]:
    """Yield the rule's naive local occurrences up to search_end, by dateutil.

    COUNT is left to the caller, since dateutil refuses COUNT with the UNTIL
    that bounds the search here.
    """
    dtstart = _wall_clock(local_start)
    # dateutil would still scan for a first match past an UNTIL before it.
    if search_end < dtstart:
        return
    shift = _search_shift(search_end)
    until = search_end + shift
    text = ";".join(f"{name}={value}" for name, value in rule.parts.items())
    text += f";UNTIL={until:%Y%m%dT%H%M%S}"
    try:
        for occurrence in rrulestr(text, dtstart=dtstart + shift):
            yield occurrence - shift
    # The parts were checked, but dateutil still fails on some combinations
    # (an IndexError among them); every such failure is a malformed rule.
    except (ValueError, IndexError, KeyError, TypeError, OverflowError) as exc:
        raise RecurrenceError(INVALID_RECURRENCE) from exc


def _search_shift(search_end: datetime) -> timedelta:
    """How far to move the search so dateutil's own end stays near its bound.

    dateutil checks UNTIL only against dates that match, and gives up on a
    rule that never matches again only after the year 9999: seconds of work
    for an impossible daily rule ("every 30 February"). Expanding whole
    Gregorian cycles later yields the same dates, moved by the same amount,
    and leaves dateutil under one cycle of searching past search_end.
    """
    cycles = max(0, (MAXYEAR - search_end.year) // _GREGORIAN_CYCLE_YEARS)
    return _GREGORIAN_CYCLE * cycles


def _in_zone(wall_clock: datetime, local_start: datetime, tz: ZoneInfo) -> datetime:
    """Attach tz to a naive local occurrence, naming it as a clock shows it."""
    # dtstart itself keeps its fold: an appointment at the second 01:30 of a
    # fall-back night must not move to the first.
    if wall_clock == _wall_clock(local_start):
        return local_start
    # Through UTC, so a time inside a DST gap reads as the real wall-clock
    # time of the same instant.
    return wall_clock.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def _end_of_day(day: date, tz: tzinfo | None) -> datetime:
    """The last second of a local day in tz, as an aware datetime."""
    # fold=1 takes the later of a repeated 23:59:59 (a zone falling back at
    # midnight) and, inside a gap, the offset after it, which is that day's
    # real last second too.
    return datetime.combine(day, time(23, 59, 59, fold=1), tzinfo=tz)


def _wall_clock(moment: datetime, tz: ZoneInfo | None = None) -> datetime:
    """The naive local time of an aware datetime, in tz or its own zone."""
    return (moment if tz is None else moment.astimezone(tz)).replace(tzinfo=None)


def _weekday_position(day_of_month: int) -> int:
    """Which of its month's same weekdays a day is: 1..4, or -1 for a 5th."""
    position = (day_of_month - 1) // 7 + 1
    return position if position <= 4 else -1


def _is_int(value: object) -> bool:
    """Whether value is an int proper; JSON booleans are not counts."""
    return isinstance(value, int) and not isinstance(value, bool)
