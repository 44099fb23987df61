"""Slot arithmetic for one actor: working hours, busy time and booking rules.

Plain values in, plain values out: no Django, no ORM. Every datetime handed
in must be aware; every datetime handed back is aware in the company's zone.

Internally all comparisons and arithmetic run in UTC. Python compares and
subtracts two datetimes that share one tzinfo by their wall clock, ignoring
the offset, which gives wrong answers across a DST change.
"""

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

ONE_DAY = timedelta(days=1)
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
        zero = timedelta(0)
        if self.duration <= zero or self.interval <= zero:
            raise ValueError("duration and interval must be positive")
        if min(self.buffer_before, self.buffer_after, self.min_notice) < zero:
            raise ValueError("buffers and min_notice must not be negative")
        if self.horizon < zero:
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

    return [
        Interval(start.astimezone(tz), end.astimezone(tz))
        for start, end in _merge(spans)
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

    A slot is offered exactly when `check_start` would find nothing wrong
    with it and its start lies in [window_start, window_end). Candidate
    starts step by `rules.interval` in wall-clock time from the local start
    of each merged working stretch; a wall time missing in a spring-forward
    gap is skipped and one repeated in a fall-back hour is offered once, in
    its first pass. The result is sorted by start, without duplicates, and
    aware in `tz`.

    `working` need not be sorted or merged. Busy time is sorted once and
    searched by bisection, so the cost grows with slots + busy, not their
    product.
    """
    stretches = _merge((_to_utc(item.start), _to_utc(item.end)) for item in working)
    busy_starts, busy_ends = _busy_union(busy)
    now_utc = _to_utc(now)
    earliest = max(_to_utc(window_start), now_utc, now_utc + rules.min_notice)
    window_end_utc = _to_utc(window_end)
    latest = now_utc + rules.horizon

    slots: list[Interval] = []
    for stretch_start, stretch_end in stretches:
        lower = max(stretch_start, earliest)
        if lower + rules.duration > stretch_end:
            continue
        if lower >= window_end_utc or lower > latest:
            break
        step = 0
        if lower - stretch_start > SKIP_MARGIN:
            step = (lower - stretch_start - SKIP_MARGIN) // rules.interval
        local_start = stretch_start.astimezone(tz).replace(tzinfo=None)
        wall = local_start + step * rules.interval
        while True:
            offset = tz.utcoffset(wall)
            # Inside a gap fold=0 takes the offset before the change, which
            # is the smaller one; in a repeated hour it is the larger one.
            if offset < tz.utcoffset(wall.replace(fold=1)):
                wall += rules.interval
                continue
            start = (wall - offset).replace(tzinfo=UTC)
            end = start + rules.duration
            # Existing wall times map to strictly increasing instants, so
            # once one candidate is past a bound every later one is too.
            if end > stretch_end or start >= window_end_utc or start > latest:
                break
            if start >= lower and not _hits(
                busy_starts,
                busy_ends,
                start - rules.buffer_before,
                end + rules.buffer_after,
            ):
                slots.append(Interval(wall.replace(tzinfo=tz), end.astimezone(tz)))
            wall += rules.interval
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
    stretches = _merge((_to_utc(item.start), _to_utc(item.end)) for item in working)
    if not any(
        stretch_start <= start_utc and end_utc <= stretch_end
        for stretch_start, stretch_end in stretches
    ):
        return Reason.OUTSIDE_WORKING_HOURS

    occupied_start = start_utc - rules.buffer_before
    occupied_end = end_utc + rules.buffer_after
    overlapping_kinds: set[BusyKind] = set()
    for item in busy:
        busy_start, busy_end = _to_utc(item.start), _to_utc(item.end)
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


def _merge(
    spans: Iterable[tuple[datetime, datetime]],
) -> list[tuple[datetime, datetime]]:
    """Sort UTC spans and merge touching or overlapping ones; drop empty ones."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(span for span in spans if span[0] < span[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _busy_union(busy: Sequence[Busy]) -> tuple[list[datetime], list[datetime]]:
    """Merge all busy time, whatever its kind, into sorted disjoint spans.

    Returned as two parallel lists (starts, ends), ready for bisection.
    """
    merged = _merge((_to_utc(item.start), _to_utc(item.end)) for item in busy)
    return [start for start, _ in merged], [end for _, end in merged]


def _hits(
    busy_starts: list[datetime],
    busy_ends: list[datetime],
    occupied_start: datetime,
    occupied_end: datetime,
) -> bool:
    """Whether [occupied_start, occupied_end) overlaps the merged busy time.

    The spans are disjoint and sorted, so among those starting before
    `occupied_end` the last one reaches furthest; only it can overlap.
    """
    index = bisect_left(busy_starts, occupied_end)
    return index > 0 and busy_ends[index - 1] > occupied_start
