import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from apps.appointments.availability import (
    Busy,
    BusyKind,
    Interval,
    Reason,
    SlotRules,
    WorkingRange,
    check_start,
    free_slots,
    working_intervals,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2025, 6, 2)
TUESDAY = date(2025, 6, 3)
APPOINTMENT = BusyKind.APPOINTMENT
BLOCK = BusyKind.BLOCK
NINE_TO_SIX = (WorkingRange(0, time(9), time(18)),)  # Monday


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = SAO_PAULO) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def make_rules(
    duration: int = 60,
    interval: int = 30,
    before: int = 0,
    after: int = 0,
    notice: int = 0,
    horizon_days: int = 60,
) -> SlotRules:
    """Rules from minutes, days for the horizon."""
    return SlotRules(
        duration=timedelta(minutes=duration),
        buffer_before=timedelta(minutes=before),
        buffer_after=timedelta(minutes=after),
        interval=timedelta(minutes=interval),
        min_notice=timedelta(minutes=notice),
        horizon=timedelta(days=horizon_days),
    )


def slots_between(
    ranges: Sequence[WorkingRange],
    first_day: date,
    last_day: date,
    *,
    rules: SlotRules,
    busy: Sequence[Busy] = (),
    now: datetime | None = None,
    tz: ZoneInfo = SAO_PAULO,
) -> list[Interval]:
    """Free slots of whole local days, now a week earlier unless given."""
    working = working_intervals(ranges, first_day, last_day, tz)
    window_start = at(first_day, 0, tz=tz)
    return free_slots(
        working=working,
        busy=busy,
        rules=rules,
        now=now or window_start - timedelta(days=7),
        window_start=window_start,
        window_end=at(last_day + timedelta(days=1), 0, tz=tz),
        tz=tz,
    )


def hours(slots: Sequence[Interval]) -> list[str]:
    """Local HH:MM of each start; only for slots of one day."""
    return [slot.start.strftime("%H:%M") for slot in slots]


def stamps(slots: Sequence[Interval]) -> list[str]:
    """ISO start of each slot, with its UTC offset."""
    return [slot.start.isoformat(timespec="minutes") for slot in slots]


# working_intervals


def test_working_intervals_places_range_on_every_matching_weekday() -> None:
    ranges = NINE_TO_SIX

    result = working_intervals(ranges, MONDAY, date(2025, 6, 9), SAO_PAULO)

    assert result == [
        Interval(at(MONDAY, 9), at(MONDAY, 18)),
        Interval(at(date(2025, 6, 9), 9), at(date(2025, 6, 9), 18)),
    ]


def test_working_intervals_runs_end_before_start_into_next_day() -> None:
    ranges = [WorkingRange(0, time(22, 30), time(1, 30))]

    result = working_intervals(ranges, MONDAY, MONDAY, SAO_PAULO)

    assert result == [Interval(at(MONDAY, 22, 30), at(TUESDAY, 1, 30))]


def test_working_intervals_merges_ranges_touching_at_midnight() -> None:
    ranges = [
        WorkingRange(1, time(0), time(1, 30)),
        WorkingRange(0, time(22, 30), time(0)),
    ]

    result = working_intervals(ranges, MONDAY, TUESDAY, SAO_PAULO)

    assert result == [Interval(at(MONDAY, 22, 30), at(TUESDAY, 1, 30))]


def test_working_intervals_reads_midnight_end_as_end_of_day() -> None:
    ranges = [WorkingRange(0, time(18), time(0))]

    result = working_intervals(ranges, MONDAY, MONDAY, SAO_PAULO)

    assert result == [Interval(at(MONDAY, 18), at(TUESDAY, 0))]


def test_working_intervals_merges_whole_days_into_one_stretch() -> None:
    ranges = [WorkingRange(weekday, time(0), time(0)) for weekday in range(7)]

    result = working_intervals(ranges, MONDAY, TUESDAY, SAO_PAULO)

    assert result == [
        Interval(at(date(2025, 6, 1), 0), at(date(2025, 6, 4), 0)),
    ]


def test_working_intervals_includes_shift_from_day_before() -> None:
    ranges = [WorkingRange(6, time(22), time(2)), WorkingRange(6, time(9), time(12))]

    result = working_intervals(ranges, MONDAY, MONDAY, SAO_PAULO)

    assert result == [
        Interval(at(date(2025, 6, 1), 9), at(date(2025, 6, 1), 12)),
        Interval(at(date(2025, 6, 1), 22), at(MONDAY, 2)),
    ]


def test_working_intervals_merges_overlapping_ranges_and_sorts() -> None:
    ranges = [
        WorkingRange(0, time(15), time(18)),
        WorkingRange(0, time(12), time(16)),
        WorkingRange(0, time(8), time(11)),
    ]

    result = working_intervals(ranges, MONDAY, MONDAY, SAO_PAULO)

    assert result == [
        Interval(at(MONDAY, 8), at(MONDAY, 11)),
        Interval(at(MONDAY, 12), at(MONDAY, 18)),
    ]


def test_working_intervals_ignores_range_with_equal_start_and_end() -> None:
    ranges = [WorkingRange(0, time(9), time(9))]

    result = working_intervals(ranges, MONDAY, MONDAY, SAO_PAULO)

    assert result == []


def test_working_intervals_keeps_wall_clock_across_dst() -> None:
    ranges = [WorkingRange(0, time(9), time(17))]

    result = working_intervals(ranges, date(2027, 3, 8), date(2027, 3, 15), NEW_YORK)

    assert [(i.start.isoformat(), i.end.isoformat()) for i in result] == [
        ("2027-03-08T09:00:00-05:00", "2027-03-08T17:00:00-05:00"),
        ("2027-03-15T09:00:00-04:00", "2027-03-15T17:00:00-04:00"),
    ]


def test_working_intervals_maps_gap_start_like_fold_zero() -> None:
    ranges = [WorkingRange(6, time(2, 30), time(5))]

    result = working_intervals(ranges, date(2027, 3, 14), date(2027, 3, 14), NEW_YORK)

    assert [(i.start.isoformat(), i.end.isoformat()) for i in result] == [
        ("2027-03-14T03:30:00-04:00", "2027-03-14T05:00:00-04:00"),
    ]


def test_working_intervals_maps_repeated_end_to_first_pass() -> None:
    ranges = [WorkingRange(6, time(0), time(1, 30))]

    result = working_intervals(ranges, date(2027, 11, 7), date(2027, 11, 7), NEW_YORK)

    assert [(i.start.isoformat(), i.end.isoformat()) for i in result] == [
        ("2027-11-07T00:00:00-04:00", "2027-11-07T01:30:00-04:00"),
    ]


def test_working_range_rejects_weekday_out_of_range() -> None:
    with pytest.raises(ValueError, match="weekday must be 0..6, got 7"):
        WorkingRange(7, time(9), time(18))


@pytest.mark.parametrize(
    ("field", "minutes", "message"),
    [
        ("duration", 0, "duration and interval must be positive"),
        ("interval", 0, "duration and interval must be positive"),
        ("buffer_before", -1, "buffers and min_notice must not be negative"),
        ("buffer_after", -1, "buffers and min_notice must not be negative"),
        ("min_notice", -1, "buffers and min_notice must not be negative"),
        ("horizon", -1, "horizon must not be negative"),
    ],
)
def test_slot_rules_rejects_impossible_values(
    field: str, minutes: int, message: str
) -> None:
    values = {
        "duration": timedelta(minutes=30),
        "buffer_before": timedelta(0),
        "buffer_after": timedelta(0),
        "interval": timedelta(minutes=15),
        "min_notice": timedelta(0),
        "horizon": timedelta(days=60),
    }
    values[field] = timedelta(minutes=minutes)

    with pytest.raises(ValueError, match=message):
        SlotRules(**values)


# free_slots: fitting into working hours


def test_free_slots_steps_by_interval_through_working_day() -> None:
    rules = make_rules(duration=60, interval=60)

    result = slots_between(NINE_TO_SIX, MONDAY, MONDAY, rules=rules)

    assert result[0] == Interval(at(MONDAY, 9), at(MONDAY, 10))
    assert hours(result) == [
        "09:00",
        "10:00",
        "11:00",
        "12:00",
        "13:00",
        "14:00",
        "15:00",
        "16:00",
        "17:00",
    ]


def test_free_slots_offers_night_shift_across_midnight() -> None:
    ranges = [WorkingRange(0, time(22, 30), time(1, 30))]
    rules = make_rules(duration=60, interval=30)

    result = slots_between(ranges, MONDAY, TUESDAY, rules=rules)

    assert stamps(result) == [
        "2025-06-02T22:30-03:00",
        "2025-06-02T23:00-03:00",
        "2025-06-02T23:30-03:00",
        "2025-06-03T00:00-03:00",
        "2025-06-03T00:30-03:00",
    ]


def test_free_slots_joins_two_ranges_touching_at_midnight_into_one_shift() -> None:
    ranges = [
        WorkingRange(0, time(22, 30), time(0)),
        WorkingRange(1, time(0), time(1, 30)),
    ]
    rules = make_rules(duration=60, interval=30)

    result = slots_between(ranges, MONDAY, TUESDAY, rules=rules)

    assert stamps(result) == [
        "2025-06-02T22:30-03:00",
        "2025-06-02T23:00-03:00",
        "2025-06-02T23:30-03:00",
        "2025-06-03T00:00-03:00",
        "2025-06-03T00:30-03:00",
    ]


def test_free_slots_ends_day_at_midnight_end() -> None:
    ranges = [WorkingRange(0, time(18), time(0))]
    rules = make_rules(duration=60, interval=30)

    result = slots_between(ranges, MONDAY, TUESDAY, rules=rules)

    assert hours(result) == [
        "18:00",
        "18:30",
        "19:00",
        "19:30",
        "20:00",
        "20:30",
        "21:00",
        "21:30",
        "22:00",
        "22:30",
        "23:00",
    ]
    assert result[-1].end == at(TUESDAY, 0)


def test_free_slots_keeps_slots_out_of_lunch_gap() -> None:
    ranges = [
        WorkingRange(0, time(9), time(12)),
        WorkingRange(0, time(13), time(18)),
    ]
    rules = make_rules(duration=60, interval=30)

    result = slots_between(ranges, MONDAY, MONDAY, rules=rules)

    assert hours(result) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
        "16:30",
        "17:00",
    ]


def test_free_slots_steps_from_start_of_each_stretch() -> None:
    ranges = [
        WorkingRange(0, time(9, 10), time(11)),
        WorkingRange(0, time(14, 45), time(16)),
    ]
    rules = make_rules(duration=30, interval=30)

    result = slots_between(ranges, MONDAY, MONDAY, rules=rules)

    assert hours(result) == ["09:10", "09:40", "10:10", "14:45", "15:15"]


def test_free_slots_lets_buffers_reach_outside_working_hours() -> None:
    ranges = [WorkingRange(0, time(9), time(10))]
    rules = make_rules(duration=60, before=30, after=30)

    result = slots_between(ranges, MONDAY, MONDAY, rules=rules)

    assert result == [Interval(at(MONDAY, 9), at(MONDAY, 10))]


def test_free_slots_accepts_unsorted_overlapping_working_in_other_zone() -> None:
    working = [
        Interval(at(MONDAY, 13).astimezone(UTC), at(MONDAY, 15).astimezone(UTC)),
        Interval(at(MONDAY, 9), at(MONDAY, 12)),
        Interval(at(MONDAY, 11), at(MONDAY, 13)),
    ]

    result = free_slots(
        working=working,
        busy=[],
        rules=make_rules(duration=60, interval=60),
        now=at(MONDAY, 0),
        window_start=at(MONDAY, 0),
        window_end=at(TUESDAY, 0),
        tz=SAO_PAULO,
    )

    assert stamps(result) == [
        "2025-06-02T09:00-03:00",
        "2025-06-02T10:00-03:00",
        "2025-06-02T11:00-03:00",
        "2025-06-02T12:00-03:00",
        "2025-06-02T13:00-03:00",
        "2025-06-02T14:00-03:00",
    ]


def test_free_slots_offers_starts_inside_window_only() -> None:
    working = working_intervals(NINE_TO_SIX, MONDAY, MONDAY, SAO_PAULO)

    result = free_slots(
        working=working,
        busy=[],
        rules=make_rules(duration=60, interval=60),
        now=at(MONDAY, 0),
        window_start=at(MONDAY, 10),
        window_end=at(MONDAY, 13),
        tz=SAO_PAULO,
    )

    assert hours(result) == ["10:00", "11:00", "12:00"]


def test_free_slots_skips_ahead_in_long_stretch() -> None:
    ranges = [WorkingRange(weekday, time(0), time(0)) for weekday in range(7)]
    working = working_intervals(ranges, MONDAY, date(2025, 6, 8), SAO_PAULO)
    saturday = date(2025, 6, 7)

    result = free_slots(
        working=working,
        busy=[],
        rules=make_rules(duration=60, interval=60),
        now=at(saturday, 10, 7),
        window_start=at(saturday, 0),
        window_end=at(saturday, 14),
        tz=SAO_PAULO,
    )

    assert hours(result) == ["11:00", "12:00", "13:00"]


def test_free_slots_skips_ahead_in_long_stretch_across_fall_back() -> None:
    ranges = [WorkingRange(weekday, time(0), time(0)) for weekday in range(7)]
    working = working_intervals(ranges, date(2027, 11, 1), date(2027, 11, 10), NEW_YORK)
    tuesday = date(2027, 11, 9)

    result = free_slots(
        working=working,
        busy=[],
        rules=make_rules(duration=60, interval=15),
        now=at(tuesday, 10, 7, tz=NEW_YORK),
        window_start=at(tuesday, 0, tz=NEW_YORK),
        window_end=at(tuesday, 11, tz=NEW_YORK),
        tz=NEW_YORK,
    )

    assert stamps(result) == [
        "2027-11-09T10:15-05:00",
        "2027-11-09T10:30-05:00",
        "2027-11-09T10:45-05:00",
    ]


def test_free_slots_offers_repeated_wall_time_in_first_pass_only() -> None:
    second_pass = datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=NEW_YORK)
    working = [Interval(second_pass, at(date(2027, 11, 7), 3, tz=NEW_YORK))]

    result = free_slots(
        working=working,
        busy=[],
        rules=make_rules(duration=30, interval=30),
        now=at(date(2027, 11, 1), 0, tz=NEW_YORK),
        window_start=at(date(2027, 11, 7), 0, tz=NEW_YORK),
        window_end=at(date(2027, 11, 8), 0, tz=NEW_YORK),
        tz=NEW_YORK,
    )

    assert stamps(result) == ["2027-11-07T02:00-05:00", "2027-11-07T02:30-05:00"]


# free_slots: busy time and buffers


def test_free_slots_allows_touching_appointments() -> None:
    ranges = [WorkingRange(0, time(9), time(12))]
    busy = [Busy(at(MONDAY, 10), at(MONDAY, 11), APPOINTMENT)]
    rules = make_rules(duration=60, interval=60)

    result = slots_between(ranges, MONDAY, MONDAY, rules=rules, busy=busy)

    assert result == [
        Interval(at(MONDAY, 9), at(MONDAY, 10)),
        Interval(at(MONDAY, 11), at(MONDAY, 12)),
    ]


def test_free_slots_keeps_buffers_on_both_sides() -> None:
    ranges = [WorkingRange(0, time(11), time(14))]
    busy = [Busy(at(MONDAY, 12), at(MONDAY, 13), APPOINTMENT)]
    rules = make_rules(duration=30, interval=15, before=15, after=15)

    result = slots_between(ranges, MONDAY, MONDAY, rules=rules, busy=busy)

    assert hours(result) == ["11:00", "11:15", "13:15", "13:30"]


def test_free_slots_allows_busy_abutting_occupied_time() -> None:
    ranges = [WorkingRange(0, time(9), time(14))]
    busy = [Busy(at(MONDAY, 11), at(MONDAY, 12), BLOCK)]
    rules = make_rules(duration=60, interval=30, before=30, after=30)

    result = slots_between(ranges, MONDAY, MONDAY, rules=rules, busy=busy)

    assert hours(result) == ["09:00", "09:30", "12:30", "13:00"]


def test_free_slots_refuses_one_minute_overlap() -> None:
    ranges = [WorkingRange(0, time(9), time(14))]
    busy = [Busy(at(MONDAY, 10, 59), at(MONDAY, 12, 1), BLOCK)]
    rules = make_rules(duration=60, interval=30, before=30, after=30)

    result = slots_between(ranges, MONDAY, MONDAY, rules=rules, busy=busy)

    assert hours(result) == ["09:00", "13:00"]


def test_free_slots_refuses_starts_whose_buffers_reach_buffered_appointment() -> None:
    # The existing 12:00-12:30 appointment has the same 60-minute buffers,
    # so the caller passes its occupied time 11:00-13:30.
    busy = [Busy(at(MONDAY, 11), at(MONDAY, 13, 30), APPOINTMENT)]
    rules = make_rules(duration=30, interval=30, before=60, after=60)

    result = slots_between(NINE_TO_SIX, MONDAY, MONDAY, rules=rules, busy=busy)

    assert hours(result) == [
        "09:00",
        "09:30",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
        "16:30",
        "17:00",
        "17:30",
    ]


def test_free_slots_refuses_starts_whose_buffers_reach_bare_appointment() -> None:
    busy = [Busy(at(MONDAY, 12), at(MONDAY, 12, 30), APPOINTMENT)]
    rules = make_rules(duration=30, interval=30, before=60, after=60)

    result = slots_between(NINE_TO_SIX, MONDAY, MONDAY, rules=rules, busy=busy)

    assert hours(result) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
        "16:30",
        "17:00",
        "17:30",
    ]


def test_free_slots_accepts_unsorted_overlapping_busy_in_any_zone() -> None:
    busy = [
        Busy(at(MONDAY, 15), at(MONDAY, 16), BLOCK),
        Busy(at(MONDAY, 10).astimezone(UTC), at(MONDAY, 11).astimezone(UTC), BLOCK),
        Busy(at(MONDAY, 10, 30), at(MONDAY, 12), APPOINTMENT),
        Busy(at(MONDAY, 15, 30), at(MONDAY, 15, 45), APPOINTMENT),
    ]
    rules = make_rules(duration=60, interval=60)

    result = slots_between(NINE_TO_SIX, MONDAY, MONDAY, rules=rules, busy=busy)

    assert hours(result) == ["09:00", "12:00", "13:00", "14:00", "16:00", "17:00"]


def test_free_slots_ignores_empty_busy_time() -> None:
    busy = [Busy(at(MONDAY, 10, 30), at(MONDAY, 10, 30), BLOCK)]
    rules = make_rules(duration=60, interval=60)

    result = slots_between(NINE_TO_SIX, MONDAY, MONDAY, rules=rules, busy=busy)

    assert hours(result) == [
        "09:00",
        "10:00",
        "11:00",
        "12:00",
        "13:00",
        "14:00",
        "15:00",
        "16:00",
        "17:00",
    ]


# free_slots: now, notice and horizon


def test_free_slots_never_offers_start_before_now() -> None:
    rules = make_rules(duration=60, interval=30)

    result = slots_between(
        NINE_TO_SIX, MONDAY, MONDAY, rules=rules, now=at(MONDAY, 14, 10)
    )

    assert hours(result) == ["14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]


def test_free_slots_offers_start_exactly_at_now() -> None:
    rules = make_rules(duration=60, interval=30)

    result = slots_between(NINE_TO_SIX, MONDAY, MONDAY, rules=rules, now=at(MONDAY, 16))

    assert hours(result) == ["16:00", "16:30", "17:00"]


def test_free_slots_keeps_minimum_notice() -> None:
    rules = make_rules(duration=60, interval=30, notice=120)

    result = slots_between(
        NINE_TO_SIX, MONDAY, MONDAY, rules=rules, now=at(MONDAY, 13, 10)
    )

    assert hours(result) == ["15:30", "16:00", "16:30", "17:00"]


def test_free_slots_offers_start_exactly_at_minimum_notice() -> None:
    rules = make_rules(duration=60, interval=30, notice=120)

    result = slots_between(NINE_TO_SIX, MONDAY, MONDAY, rules=rules, now=at(MONDAY, 14))

    assert hours(result) == ["16:00", "16:30", "17:00"]


def test_free_slots_stops_at_horizon_inclusive() -> None:
    ranges = [
        WorkingRange(0, time(9), time(12)),
        WorkingRange(1, time(9), time(12)),
    ]
    rules = make_rules(duration=60, interval=30, horizon_days=1)

    result = slots_between(ranges, MONDAY, TUESDAY, rules=rules, now=at(MONDAY, 10, 30))

    assert stamps(result) == [
        "2025-06-02T10:30-03:00",
        "2025-06-02T11:00-03:00",
        "2025-06-03T09:00-03:00",
        "2025-06-03T09:30-03:00",
        "2025-06-03T10:00-03:00",
        "2025-06-03T10:30-03:00",
    ]


# free_slots: time zones


def test_free_slots_skips_spring_forward_gap_in_new_york() -> None:
    ranges = [WorkingRange(6, time(0), time(6)), WorkingRange(0, time(9), time(17))]
    rules = make_rules(duration=60, interval=30)

    result = slots_between(
        ranges, date(2027, 3, 14), date(2027, 3, 15), rules=rules, tz=NEW_YORK
    )

    assert stamps(result) == [
        "2027-03-14T00:00-05:00",
        "2027-03-14T00:30-05:00",
        "2027-03-14T01:00-05:00",
        "2027-03-14T01:30-05:00",
        "2027-03-14T03:00-04:00",
        "2027-03-14T03:30-04:00",
        "2027-03-14T04:00-04:00",
        "2027-03-14T04:30-04:00",
        "2027-03-14T05:00-04:00",
        "2027-03-15T09:00-04:00",
        "2027-03-15T09:30-04:00",
        "2027-03-15T10:00-04:00",
        "2027-03-15T10:30-04:00",
        "2027-03-15T11:00-04:00",
        "2027-03-15T11:30-04:00",
        "2027-03-15T12:00-04:00",
        "2027-03-15T12:30-04:00",
        "2027-03-15T13:00-04:00",
        "2027-03-15T13:30-04:00",
        "2027-03-15T14:00-04:00",
        "2027-03-15T14:30-04:00",
        "2027-03-15T15:00-04:00",
        "2027-03-15T15:30-04:00",
        "2027-03-15T16:00-04:00",
    ]


def test_free_slots_counts_duration_in_absolute_time_across_gap() -> None:
    ranges = [WorkingRange(6, time(0), time(6))]
    rules = make_rules(duration=60, interval=30)

    result = slots_between(
        ranges, date(2027, 3, 14), date(2027, 3, 14), rules=rules, tz=NEW_YORK
    )

    assert result[3].start.isoformat() == "2027-03-14T01:30:00-05:00"
    assert result[3].end.isoformat() == "2027-03-14T03:30:00-04:00"


def test_free_slots_offers_repeated_hour_once_in_new_york() -> None:
    ranges = [WorkingRange(6, time(0), time(6)), WorkingRange(0, time(9), time(17))]
    rules = make_rules(duration=60, interval=30)

    result = slots_between(
        ranges, date(2027, 11, 7), date(2027, 11, 8), rules=rules, tz=NEW_YORK
    )

    assert stamps(result) == [
        "2027-11-07T00:00-04:00",
        "2027-11-07T00:30-04:00",
        "2027-11-07T01:00-04:00",
        "2027-11-07T01:30-04:00",
        "2027-11-07T02:00-05:00",
        "2027-11-07T02:30-05:00",
        "2027-11-07T03:00-05:00",
        "2027-11-07T03:30-05:00",
        "2027-11-07T04:00-05:00",
        "2027-11-07T04:30-05:00",
        "2027-11-07T05:00-05:00",
        "2027-11-08T09:00-05:00",
        "2027-11-08T09:30-05:00",
        "2027-11-08T10:00-05:00",
        "2027-11-08T10:30-05:00",
        "2027-11-08T11:00-05:00",
        "2027-11-08T11:30-05:00",
        "2027-11-08T12:00-05:00",
        "2027-11-08T12:30-05:00",
        "2027-11-08T13:00-05:00",
        "2027-11-08T13:30-05:00",
        "2027-11-08T14:00-05:00",
        "2027-11-08T14:30-05:00",
        "2027-11-08T15:00-05:00",
        "2027-11-08T15:30-05:00",
        "2027-11-08T16:00-05:00",
    ]


def test_free_slots_ends_first_pass_slot_in_second_pass_of_repeated_hour() -> None:
    ranges = [WorkingRange(6, time(0), time(6))]
    rules = make_rules(duration=60, interval=30)

    result = slots_between(
        ranges, date(2027, 11, 7), date(2027, 11, 7), rules=rules, tz=NEW_YORK
    )

    assert result[2].start.isoformat() == "2027-11-07T01:00:00-04:00"
    assert result[2].end.isoformat() == "2027-11-07T01:00:00-05:00"


def test_free_slots_uses_sao_paulo_offset_without_dst() -> None:
    tuesday = date(2026, 1, 13)
    ranges = [WorkingRange(1, time(9), time(12))]
    rules = make_rules(duration=60, interval=60)

    result = slots_between(ranges, tuesday, tuesday, rules=rules)

    assert [(i.start.isoformat(), i.end.isoformat()) for i in result] == [
        ("2026-01-13T09:00:00-03:00", "2026-01-13T10:00:00-03:00"),
        ("2026-01-13T10:00:00-03:00", "2026-01-13T11:00:00-03:00"),
        ("2026-01-13T11:00:00-03:00", "2026-01-13T12:00:00-03:00"),
    ]


def test_free_slots_returns_datetimes_in_given_zone() -> None:
    working = [Interval(at(MONDAY, 9).astimezone(UTC), at(MONDAY, 11).astimezone(UTC))]

    result = free_slots(
        working=working,
        busy=[],
        rules=make_rules(duration=60, interval=60),
        now=at(MONDAY, 0).astimezone(UTC),
        window_start=at(MONDAY, 0).astimezone(UTC),
        window_end=at(TUESDAY, 0).astimezone(UTC),
        tz=SAO_PAULO,
    )

    assert [(i.start.tzinfo, i.end.tzinfo) for i in result] == [
        (SAO_PAULO, SAO_PAULO),
        (SAO_PAULO, SAO_PAULO),
    ]


def test_free_slots_rejects_naive_datetime() -> None:
    working = working_intervals(NINE_TO_SIX, MONDAY, MONDAY, SAO_PAULO)

    with pytest.raises(ValueError, match="naive datetime not allowed"):
        free_slots(
            working=working,
            busy=[],
            rules=make_rules(),
            now=at(MONDAY, 0).replace(tzinfo=None),
            window_start=at(MONDAY, 0),
            window_end=at(TUESDAY, 0),
            tz=SAO_PAULO,
        )


# check_start


def check(
    start: datetime,
    *,
    busy: Sequence[Busy] = (),
    rules: SlotRules | None = None,
    now: datetime | None = None,
) -> Reason | None:
    """check_start against Monday 09:00-18:00 in São Paulo."""
    return check_start(
        start=start,
        working=working_intervals(NINE_TO_SIX, MONDAY, MONDAY, SAO_PAULO),
        busy=busy,
        rules=rules or make_rules(duration=60),
        now=now or at(MONDAY, 0),
    )


def test_check_start_accepts_free_start_off_the_grid() -> None:
    start = at(MONDAY, 9, 10)

    result = check(start)

    assert result is None


def test_check_start_reports_in_past_before_anything_else() -> None:
    busy = [Busy(at(MONDAY, 8), at(MONDAY, 9), APPOINTMENT)]

    result = check(at(MONDAY, 8), busy=busy, now=at(MONDAY, 8, 1))

    assert result == Reason.IN_PAST


def test_check_start_reports_too_soon_before_working_hours() -> None:
    rules = make_rules(notice=60)

    result = check(at(MONDAY, 8), rules=rules, now=at(MONDAY, 7, 1))

    assert result == Reason.TOO_SOON


def test_check_start_accepts_start_exactly_at_minimum_notice() -> None:
    rules = make_rules(notice=60)

    result = check(at(MONDAY, 9), rules=rules, now=at(MONDAY, 8))

    assert result is None


def test_check_start_reports_too_far_before_working_hours() -> None:
    rules = make_rules(horizon_days=1)
    now = at(date(2025, 6, 1), 7)

    result = check(at(MONDAY, 7, 1), rules=rules, now=now)

    assert result == Reason.TOO_FAR


def test_check_start_accepts_start_exactly_at_horizon() -> None:
    rules = make_rules(horizon_days=1)
    now = at(date(2025, 6, 1), 9)

    result = check(at(MONDAY, 9), rules=rules, now=now)

    assert result is None


def test_check_start_reports_outside_working_hours_before_overlap() -> None:
    busy = [Busy(at(MONDAY, 17), at(MONDAY, 19), APPOINTMENT)]

    result = check(at(MONDAY, 17, 30), busy=busy)

    assert result == Reason.OUTSIDE_WORKING_HOURS


def test_check_start_reports_outside_working_hours_across_lunch_gap() -> None:
    ranges = [
        WorkingRange(0, time(9), time(12)),
        WorkingRange(0, time(13), time(18)),
    ]

    result = check_start(
        start=at(MONDAY, 11, 30),
        working=working_intervals(ranges, MONDAY, MONDAY, SAO_PAULO),
        busy=[],
        rules=make_rules(duration=60),
        now=at(MONDAY, 0),
    )

    assert result == Reason.OUTSIDE_WORKING_HOURS


def test_check_start_accepts_start_inside_shift_across_midnight() -> None:
    ranges = [
        WorkingRange(0, time(22, 30), time(0)),
        WorkingRange(1, time(0), time(1, 30)),
    ]

    result = check_start(
        start=at(MONDAY, 23, 45),
        working=working_intervals(ranges, MONDAY, TUESDAY, SAO_PAULO),
        busy=[],
        rules=make_rules(duration=90),
        now=at(MONDAY, 0),
    )

    assert result is None


def test_check_start_reports_appointment_before_block() -> None:
    busy = [
        Busy(at(MONDAY, 10), at(MONDAY, 10, 30), BLOCK),
        Busy(at(MONDAY, 10, 30), at(MONDAY, 11), APPOINTMENT),
    ]

    result = check(at(MONDAY, 10), busy=busy)

    assert result == Reason.OVERLAPS_APPOINTMENT


def test_check_start_reports_block() -> None:
    busy = [Busy(at(MONDAY, 10, 30), at(MONDAY, 11), BLOCK)]

    result = check(at(MONDAY, 10), busy=busy)

    assert result == Reason.OVERLAPS_BLOCK


def test_check_start_refuses_one_minute_overlap_of_buffer() -> None:
    busy = [Busy(at(MONDAY, 11), at(MONDAY, 12, 1), BLOCK)]
    rules = make_rules(duration=60, before=30, after=30)

    result = check(at(MONDAY, 12, 30), busy=busy, rules=rules)

    assert result == Reason.OVERLAPS_BLOCK


def test_check_start_allows_busy_abutting_buffers() -> None:
    busy = [
        Busy(at(MONDAY, 10), at(MONDAY, 11, 30), APPOINTMENT),
        Busy(at(MONDAY, 13, 30), at(MONDAY, 14), BLOCK),
    ]
    rules = make_rules(duration=60, before=30, after=30)

    result = check(at(MONDAY, 12), busy=busy, rules=rules)

    assert result is None


def test_check_start_ignores_empty_busy_time() -> None:
    busy = [Busy(at(MONDAY, 10, 30), at(MONDAY, 10, 30), APPOINTMENT)]

    result = check(at(MONDAY, 10), busy=busy)

    assert result is None


def test_check_start_refuses_every_start_reaching_buffered_appointment() -> None:
    busy = [Busy(at(MONDAY, 11), at(MONDAY, 13, 30), APPOINTMENT)]
    rules = make_rules(duration=30, before=60, after=60)
    starts = [at(MONDAY, 9, 30) + timedelta(minutes=30 * n) for n in range(11)]

    result = [
        (start.strftime("%H:%M"), check(start, busy=busy, rules=rules))
        for start in starts
    ]

    assert result == [
        ("09:30", None),
        ("10:00", Reason.OVERLAPS_APPOINTMENT),
        ("10:30", Reason.OVERLAPS_APPOINTMENT),
        ("11:00", Reason.OVERLAPS_APPOINTMENT),
        ("11:30", Reason.OVERLAPS_APPOINTMENT),
        ("12:00", Reason.OVERLAPS_APPOINTMENT),
        ("12:30", Reason.OVERLAPS_APPOINTMENT),
        ("13:00", Reason.OVERLAPS_APPOINTMENT),
        ("13:30", Reason.OVERLAPS_APPOINTMENT),
        ("14:00", Reason.OVERLAPS_APPOINTMENT),
        ("14:30", None),
    ]


def test_check_start_refuses_every_start_reaching_bare_appointment() -> None:
    busy = [Busy(at(MONDAY, 12), at(MONDAY, 12, 30), APPOINTMENT)]
    rules = make_rules(duration=30, before=60, after=60)
    starts = [at(MONDAY, 10, 30) + timedelta(minutes=30 * n) for n in range(7)]

    result = [
        (start.strftime("%H:%M"), check(start, busy=busy, rules=rules))
        for start in starts
    ]

    assert result == [
        ("10:30", None),
        ("11:00", Reason.OVERLAPS_APPOINTMENT),
        ("11:30", Reason.OVERLAPS_APPOINTMENT),
        ("12:00", Reason.OVERLAPS_APPOINTMENT),
        ("12:30", Reason.OVERLAPS_APPOINTMENT),
        ("13:00", Reason.OVERLAPS_APPOINTMENT),
        ("13:30", None),
    ]


def test_check_start_rejects_naive_datetime() -> None:
    start = at(MONDAY, 10).replace(tzinfo=None)

    with pytest.raises(ValueError, match="naive datetime not allowed"):
        check(start)


# Fast method against a naive reference

RANDOM_ZONES = [
    # (zone, days around which to test: DST changes where the zone has them)
    ("America/New_York", [date(2027, 3, 14), date(2027, 11, 7)]),
    ("America/Sao_Paulo", [date(2018, 11, 4), date(2019, 2, 17), date(2026, 1, 13)]),
    ("Europe/London", [date(2027, 3, 28), date(2027, 10, 31)]),
    # 30-minute DST steps.
    ("Australia/Lord_Howe", [date(2027, 4, 4), date(2027, 10, 3)]),
    # Skipped the whole local day 2011-12-30.
    ("Pacific/Apia", [date(2011, 12, 29)]),
    ("Asia/Kolkata", [date(2027, 6, 1)]),
]


def naive_reason(
    start: datetime,
    working: Sequence[Interval],
    busy: Sequence[Busy],
    rules: SlotRules,
    now: datetime,
) -> Reason | None:
    """Reference for check_start: plain loops over UTC timestamps."""
    start_ts = start.timestamp()
    end_ts = (start.astimezone(UTC) + rules.duration).timestamp()
    now_ts = now.timestamp()
    if start_ts < now_ts:
        return Reason.IN_PAST
    if start_ts < now_ts + rules.min_notice.total_seconds():
        return Reason.TOO_SOON
    if start_ts > now_ts + rules.horizon.total_seconds():
        return Reason.TOO_FAR
    if not any(
        item.start.timestamp() <= start_ts and end_ts <= item.end.timestamp()
        for item in working
    ):
        return Reason.OUTSIDE_WORKING_HOURS
    occupied_start = start_ts - rules.buffer_before.total_seconds()
    occupied_end = end_ts + rules.buffer_after.total_seconds()
    for kind in (APPOINTMENT, BLOCK):
        for item in busy:
            if (
                item.kind == kind
                and item.start.timestamp() < item.end.timestamp()
                and item.start.timestamp() < occupied_end
                and item.end.timestamp() > occupied_start
            ):
                return (
                    Reason.OVERLAPS_APPOINTMENT
                    if kind == APPOINTMENT
                    else Reason.OVERLAPS_BLOCK
                )
    return None


def naive_candidates(
    working: Sequence[Interval], rules: SlotRules, tz: ZoneInfo
) -> list[datetime]:
    """Existing wall times k * interval from each stretch's local start.

    Only those starting inside their own stretch: with disjoint stretches a
    slot fits into some stretch only if it fits into the one holding its start.
    """
    candidates = []
    for stretch in working:
        first = stretch.start.astimezone(tz).replace(tzinfo=None, fold=0)
        # Well past the end in wall-clock terms, whatever the offset jumps.
        last = stretch.end.astimezone(tz).replace(tzinfo=None) + timedelta(days=3)
        bounds = (stretch.start.timestamp(), stretch.end.timestamp())
        wall = first
        while wall <= last:
            aware = wall.replace(tzinfo=tz)
            exists = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall
            if exists and bounds[0] <= aware.timestamp() < bounds[1]:
                candidates.append(aware)
            wall += rules.interval
    return candidates


def random_case(rng: random.Random) -> dict[str, Any]:
    zone_name, days = rng.choice(RANDOM_ZONES)
    tz = ZoneInfo(zone_name)
    first_day = rng.choice(days) + timedelta(days=rng.randint(-2, 1))
    last_day = first_day + timedelta(days=rng.randint(0, 4))
    ranges = []
    for _ in range(rng.randint(1, 8)):
        start = time(rng.randrange(24), rng.choice([0, 15, 30, 45, 7]))
        end = rng.choice(
            [time(0), time(rng.randrange(24), rng.choice([0, 30, 45, 13]))]
        )
        ranges.append(WorkingRange(rng.randrange(7), start, end))
    origin = at(first_day, 0, tz=tz).astimezone(UTC) - timedelta(days=1)
    span_minutes = (last_day - first_day).days * 1440 + 3 * 1440
    busy = []
    for _ in range(rng.randint(0, 40)):
        start = origin + timedelta(minutes=rng.randrange(span_minutes))
        end = start + timedelta(minutes=rng.choice([0, 5, 15, 30, 60, 95, 240]))
        zone = rng.choice([UTC, tz])
        busy.append(
            Busy(
                start.astimezone(zone), end.astimezone(zone), rng.choice(list(BusyKind))
            )
        )
    rules = SlotRules(
        duration=timedelta(minutes=rng.choice([5, 15, 30, 45, 60, 90, 180])),
        buffer_before=timedelta(minutes=rng.choice([0, 0, 5, 15, 60])),
        buffer_after=timedelta(minutes=rng.choice([0, 0, 10, 15, 30])),
        interval=timedelta(minutes=rng.choice([5, 10, 15, 20, 30, 45, 60, 90])),
        min_notice=timedelta(minutes=rng.choice([0, 0, 30, 120, 1440])),
        horizon=timedelta(minutes=rng.choice([0, 600, 1440, 4320, 86400])),
    )
    now = origin + timedelta(minutes=rng.randrange(span_minutes))
    window_start = origin + timedelta(minutes=rng.randrange(span_minutes // 2))
    window_end = window_start + timedelta(minutes=rng.randrange(span_minutes))
    return {
        "tz": tz,
        "working": working_intervals(ranges, first_day, last_day, tz),
        "busy": busy,
        "rules": rules,
        "now": now.astimezone(rng.choice([UTC, tz])),
        "window_start": window_start.astimezone(tz),
        "window_end": window_end.astimezone(UTC),
    }


def pairs(slots: Sequence[Interval]) -> list[tuple[str, str]]:
    return [(slot.start.isoformat(), slot.end.isoformat()) for slot in slots]


def test_free_slots_matches_naive_reference_on_random_inputs() -> None:
    rng = random.Random(20250602)
    cases = [random_case(rng) for _ in range(250)]
    expected = []
    for case in cases:
        tz, rules = case["tz"], case["rules"]
        window = (case["window_start"].timestamp(), case["window_end"].timestamp())
        expected.append(
            [
                (
                    start.isoformat(),
                    (start.astimezone(UTC) + rules.duration).astimezone(tz).isoformat(),
                )
                for start in naive_candidates(case["working"], rules, tz)
                if window[0] <= start.timestamp() < window[1]
                and naive_reason(
                    start, case["working"], case["busy"], rules, case["now"]
                )
                is None
            ]
        )

    result = [free_slots(**case) for case in cases]

    assert [pairs(slots) for slots in result] == expected
    assert {
        (slot.start.tzinfo is case["tz"], slot.end.tzinfo is case["tz"])
        for slots, case in zip(result, cases, strict=True)
        for slot in slots
    } == {(True, True)}
    assert sum(len(slots) for slots in result) > 1000


def test_check_start_matches_naive_reference_on_random_inputs() -> None:
    rng = random.Random(31)
    cases = [random_case(rng) for _ in range(60)]
    probes = []
    for case in cases:
        for start in naive_candidates(case["working"], case["rules"], case["tz"]):
            probes.append((case, start + timedelta(minutes=rng.choice([0, 0, 7]))))
    expected = [
        naive_reason(start, case["working"], case["busy"], case["rules"], case["now"])
        for case, start in probes
    ]

    result = [
        check_start(
            start=start,
            working=case["working"],
            busy=case["busy"],
            rules=case["rules"],
            now=case["now"],
        )
        for case, start in probes
    ]

    assert result == expected
    assert set(result) == {None, *Reason}


def test_free_slots_ignores_how_working_is_split_or_ordered() -> None:
    rng = random.Random(7)
    cases = [random_case(rng) for _ in range(100)]
    expected = [pairs(free_slots(**case)) for case in cases]
    for case in cases:
        pieces = []
        for stretch in case["working"]:
            # Subtracting datetimes of one zone would use wall-clock time.
            start, end = stretch.start.astimezone(UTC), stretch.end.astimezone(UTC)
            seconds = int((end - start).total_seconds())
            cut = start + timedelta(seconds=rng.randrange(seconds + 1))
            pieces += [Interval(stretch.start, cut), Interval(cut, stretch.end)]
        rng.shuffle(pieces)
        case["working"] = pieces

    result = [pairs(free_slots(**case)) for case in cases]

    assert result == expected
