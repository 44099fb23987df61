"""Slot arithmetic for one actor: working hours, busy time and booking rules.

Plain values in, plain values out: no Django, no ORM. Every datetime handed
in must be aware; every datetime handed back is aware in the company's zone.

Internally all comparisons and arithmetic run in UTC. Python compares and
subtracts two datetimes that share one tzinfo by their wall clock, ignoring
the offset, which gives wrong answers across a DST change.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from operator import itemgetter
from zoneinfo import ZoneInfo

ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
ONE_MICROSECOND = timedelta(microseconds=1)
MIDNIGHT = time(0)
# Candidate starts are stepped in wall-clock time, so their distance from the
# stretch start in absolute time differs from k * interval by at most the
# largest jump of a zone's UTC offset (Samoa skipped a whole day in 2011).
# Skipping candidates is safe only with this margin kept.
SKIP_MARGIN = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class WorkingRange:
    """A weekly stretch of wall-clock working time.

    `end` of `time(0)` means midnight at the end of the day; an `end` before
    `start` runs into the next day (a 22:30-01:30 shift). A range whose `end`
    equals a non-midnight `start` is empty and contributes nothing.
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span of time [start, end) between two aware datetimes."""

    start: datetime
    end: datetime


class BusyKind(StrEnum):
    """What keeps an actor busy; external (Google) busy time counts as BLOCK."""

    APPOINTMENT = "appointment"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Busy:
    """Occupied time; for an appointment the caller includes its buffers."""

    start: datetime
    end: datetime
    kind: BusyKind


@dataclass(frozen=True, slots=True)
class SlotRules:
    """The booking rules of one service for one actor.

    `duration` and `interval` must be positive, the rest not negative.
    Durations and buffers are absolute time; `interval` steps wall-clock time.
    """

    duration: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    interval: timedelta
    min_notice: timedelta
    horizon: timedelta

    def __post_init__(self) -> None:
        if self.duration <= ZERO or self.interval <= ZERO:
            raise ValueError("duration and interval must be positive")
        if min(self.buffer_before, self.buffer_after, self.min_notice) < ZERO:
            raise ValueError("buffers and min_notice must not be negative")
        if self.horizon < ZERO:
            raise ValueError("horizon must not be negative")


class Reason(StrEnum):
    """Why a start cannot be booked; the values are API error codes."""

    IN_PAST = "in_past"
    TOO_SOON = "too_soon"
    TOO_FAR = "too_far"
    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    OVERLAPS_APPOINTMENT = "overlaps_appointment"
    OVERLAPS_BLOCK = "overlaps_block"


def working_intervals(
    ranges: Iterable[WorkingRange], date_from: date, date_to: date, tz: ZoneInfo
) -> list[Interval]:
    """Turn weekly ranges into concrete, merged working stretches in `tz`.

    Every range that starts on a local day from `date_from - 1` to `date_to`
    inclusive is placed on that day; the day before is included so a shift
    past midnight reaches into `date_from`. Stretches are not clipped to the
    dates. The result is sorted, and touching or overlapping stretches are
    merged into one (Mon 22:30-00:00 + Tue 00:00-01:30 is one stretch).

    Ranges use wall-clock dates, so 09:00 stays 09:00 local across a DST
    change. A start or end inside a DST gap maps as zoneinfo maps fold=0:
    with the offset before the change (02:30 on a spring-forward night in
    New York becomes 03:30 EDT); a repeated wall time means its first pass.
    """
    by_weekday: dict[int, list[WorkingRange]] = {}
    for working_range in ranges:
        by_weekday.setdefault(working_range.weekday, []).append(working_range)

    spans: list[tuple[datetime, datetime]] = []
    day = date_from - ONE_DAY
    while day <= date_to:
        for working_range in by_weekday.get(day.weekday(), ()):
            span = _range_on_day(working_range, day, tz)
            if span is not None:
                spans.append(span)
        day += ONE_DAY

    starts, ends = _merge(spans)
    return [
        Interval(start.astimezone(tz), end.astimezone(tz))
        for start, end in zip(starts, ends, strict=True)
    ]


def free_slots(
    *,
    working: Sequence[Interval],
    busy: Sequence[Busy],
    rules: SlotRules,
    now: datetime,
    window_start: datetime,
    window_end: datetime,
    tz: ZoneInfo,
) -> list[Interval]:
    """Every bookable slot [start, start + duration) starting in the window.

    Candidate starts step by `rules.interval` in wall-clock time from the
    local start of each merged working stretch; a wall time missing in a
    spring-forward gap is skipped and one repeated in a fall-back hour is
    tried once, in its first pass. A candidate is offered exactly when it
    lies in [window_start, window_end) and `check_start` would accept it.
    The result is sorted by start, without duplicates, and aware in `tz`.

    `working` need not be sorted or merged. Busy time is merged once and
    swept with a pointer, so the cost grows with candidates + busy, not
    their product; busy already ordered by start sorts fastest.
    """
    stretch_starts, stretch_ends = _merge(_utc_spans(working))
    busy_spans = _merge(_utc_spans(busy))
    now_utc = _to_utc(now)
    # min_notice is never negative, so this also keeps slots out of the past.
    earliest = max(_to_utc(window_start), now_utc + rules.min_notice)
    # datetime has microsecond resolution: "start > now + horizon" is
    # "start >= now + horizon + 1 µs", so both limits fold into one bound.
    upper = min(_to_utc(window_end), now_utc + rules.horizon + ONE_MICROSECOND)

    slots: list[Interval] = []
    for stretch_start, stretch_end in zip(stretch_starts, stretch_ends, strict=True):
        lower = max(stretch_start, earliest)
        if lower >= upper:
            break
        if lower + rules.duration <= stretch_end:
            slots += _stretch_slots(
                (stretch_start, stretch_end), lower, upper, rules, busy_spans, tz
            )
    return slots


def check_start(
    *,
    start: datetime,
    working: Sequence[Interval],
    busy: Sequence[Busy],
    rules: SlotRules,
    now: datetime,
) -> Reason | None:
    """Say why booking at `start` would fail, or None when it would succeed.

    Checks run in this order and the first failure wins: in_past,
    too_soon, too_far, outside_working_hours (the appointment time must lie
    inside one merged working stretch), overlaps_appointment,
    overlaps_block. Occupied time (buffers included) may touch busy time but
    not overlap it; an overlap with both kinds reports the appointment.
    `start` need not lie on the slot grid.
    """
    start_utc = _to_utc(start)
    now_utc = _to_utc(now)
    if start_utc < now_utc:
        return Reason.IN_PAST
    if start_utc < now_utc + rules.min_notice:
        return Reason.TOO_SOON
    if start_utc > now_utc + rules.horizon:
        return Reason.TOO_FAR

    end_utc = start_utc + rules.duration
    stretch_starts, stretch_ends = _merge(_utc_spans(working))
    # Merged stretches are disjoint: only the last one starting at or before
    # `start` can hold the appointment.
    index = bisect_right(stretch_starts, start_utc) - 1
    if index < 0 or end_utc > stretch_ends[index]:
        return Reason.OUTSIDE_WORKING_HOURS

    occupied_start = start_utc - rules.buffer_before
    occupied_end = end_utc + rules.buffer_after
    overlapping_kinds: set[BusyKind] = set()
    for item, (busy_start, busy_end) in zip(busy, _utc_spans(busy), strict=True):
        # Empty busy time overlaps nothing, like an empty set.
        if busy_start < busy_end and (
            busy_start < occupied_end and busy_end > occupied_start
        ):
            overlapping_kinds.add(item.kind)
    if BusyKind.APPOINTMENT in overlapping_kinds:
        return Reason.OVERLAPS_APPOINTMENT
    if BusyKind.BLOCK in overlapping_kinds:
        return Reason.OVERLAPS_BLOCK
    return None


def _to_utc(value: datetime) -> datetime:
    """Return `value` in UTC; a naive datetime is a caller error."""
    if value.tzinfo is UTC:
        return value
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime not allowed: {value!r}")
    return value.astimezone(UTC)


def _range_on_day(
    working_range: WorkingRange, day: date, tz: ZoneInfo
) -> tuple[datetime, datetime] | None:
    """Place one range on a local day, as a UTC span, or None if empty."""
    if working_range.end == MIDNIGHT or working_range.end < working_range.start:
        end_day = day + ONE_DAY
    elif working_range.end > working_range.start:
        end_day = day
    else:
        return None
    start = datetime.combine(day, working_range.start, tzinfo=tz).replace(fold=0)
    end = datetime.combine(end_day, working_range.end, tzinfo=tz).replace(fold=0)
    return start.astimezone(UTC), end.astimezone(UTC)


def _utc_spans(items: Iterable[Interval | Busy]) -> list[tuple[datetime, datetime]]:
    """Return (start, end) of every item in UTC, in the given order."""
    spans = []
    for item in items:
        start, end = item.start, item.end
        if start.tzinfo is not UTC or end.tzinfo is not UTC:
            start, end = _to_utc(start), _to_utc(end)
        spans.append((start, end))
    return spans


def _merge(
    spans: list[tuple[datetime, datetime]],
) -> tuple[list[datetime], list[datetime]]:
    """Sort UTC spans in place and merge touching or overlapping ones.

    Empty spans are dropped. The answer is two parallel lists, starts and
    ends, of sorted disjoint spans, ready for bisection.
    """
    spans.sort(key=itemgetter(0))
    starts: list[datetime] = []
    ends: list[datetime] = []
    for start, end in spans:
        if start >= end:
            continue
        if ends and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _stretch_slots(
    stretch: tuple[datetime, datetime],
    lower: datetime,
    upper: datetime,
    rules: SlotRules,
    busy_spans: tuple[list[datetime], list[datetime]],
    tz: ZoneInfo,
) -> list[Interval]:
    """Free slots of one merged UTC stretch whose start is in [lower, upper)."""
    stretch_start, stretch_end = stretch
    busy_starts, busy_ends = busy_spans
    interval, duration, before = rules.interval, rules.duration, rules.buffer_before
    reach = duration + rules.buffer_after
    # Both stop conditions, the slot overrunning the stretch and the start
    # reaching `upper`, as one inclusive limit on the start.
    last_start = min(stretch_end - duration, upper - ONE_MICROSECOND)
    step = 0
    if lower - stretch_start > SKIP_MARGIN:
        step = (lower - stretch_start - SKIP_MARGIN) // interval
    # Candidates are wall-clock times: aware in tz, fold=0, stepped by field
    # arithmetic. `shifted` is a candidate moved back by its own offset, so it
    # holds UTC fields while still tagged tz: the input tzinfo.fromutc()
    # expects. The same field difference added to the real UTC stretch start
    # gives the candidate as a UTC datetime without a slow replace().
    wall = stretch_start.astimezone(tz).replace(fold=0) + step * interval
    origin = stretch_start.replace(tzinfo=tz)
    utcoffset, fromutc = tz.utcoffset, tz.fromutc
    # Sweeping pointer: the number of busy spans starting before the current
    # candidate's occupied end. Candidates that get this far rise strictly,
    # so it only moves forward.
    busy_count = len(busy_starts)
    index = bisect_left(busy_starts, lower + reach)

    slots: list[Interval] = []
    while True:
        candidate = wall
        wall += interval
        # A ZoneInfo always knows the offset; `or` only narrows the type.
        shifted = candidate - (utcoffset(candidate) or ZERO)
        start = stretch_start + (shifted - origin)
        if start < lower:
            continue
        local = fromutc(shifted)
        # A wall time inside a spring-forward gap comes back from the round
        # trip moved forward; the first pass of a repeated one comes back
        # unchanged. Same-zone comparison looks at the fields only.
        if local != candidate:
            continue
        # Existing wall times map to strictly increasing instants, so once
        # one candidate is past the limit every later one is too.
        if start > last_start:
            break
        occupied_end = start + reach
        while index < busy_count and busy_starts[index] < occupied_end:
            index += 1
        # Busy spans are disjoint and sorted: of those starting before the
        # occupied end, the last one reaches furthest and alone can overlap.
        if index and busy_ends[index - 1] > start - before:
            continue
        slots.append(Interval(local, fromutc(shifted + duration)))
    return slots
