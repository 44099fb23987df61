from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from apps.appointments import recurrence
from apps.appointments.recurrence import (
    INVALID_RECURRENCE,
    MESSAGE_COUNT_OR_UNTIL,
    MESSAGE_EMPTY,
    MESSAGE_INVALID,
    MESSAGE_TOO_FAR,
    MESSAGE_TOO_MANY,
    MESSAGE_UNBOUNDED,
    MESSAGES,
    RECURRENCE_EMPTY,
    RECURRENCE_TOO_LONG,
    RecurrenceError,
    RecurrenceSpec,
    build_rrule_text,
    expand,
    parse_spec,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def iso(starts: list[datetime]) -> list[str]:
    """ISO strings pin the wall-clock time and the offset of each start."""
    return [start.isoformat() for start in starts]


def expand_spec(data: dict, dtstart: datetime) -> list[datetime]:
    spec = parse_spec(data)
    assert isinstance(spec, RecurrenceSpec)
    text = build_rrule_text(spec, dtstart=dtstart)
    return expand(text, dtstart=dtstart, tz=dtstart.tzinfo)


def test_expand_weekly_monday_and_wednesday_count_10():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)  # a Monday
    spec = parse_spec({"frequency": "weekly", "weekdays": [0, 2], "count": 10})

    text = build_rrule_text(spec, dtstart=dtstart)
    starts = expand(text, dtstart=dtstart, tz=SAO_PAULO)

    assert text == "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=10"
    assert iso(starts) == [
        "2027-03-01T10:00:00-03:00",
        "2027-03-03T10:00:00-03:00",
        "2027-03-08T10:00:00-03:00",
        "2027-03-10T10:00:00-03:00",
        "2027-03-15T10:00:00-03:00",
        "2027-03-17T10:00:00-03:00",
        "2027-03-22T10:00:00-03:00",
        "2027-03-24T10:00:00-03:00",
        "2027-03-29T10:00:00-03:00",
        "2027-03-31T10:00:00-03:00",
    ]


def test_expand_weekly_every_other_week_from_a_day_off_the_rule():
    dtstart = datetime(2027, 3, 2, 9, 30, tzinfo=SAO_PAULO)  # a Tuesday

    starts = expand(
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=4",
        dtstart=dtstart,
        tz=SAO_PAULO,
    )

    assert iso(starts) == [
        "2027-03-03T09:30:00-03:00",
        "2027-03-15T09:30:00-03:00",
        "2027-03-17T09:30:00-03:00",
        "2027-03-29T09:30:00-03:00",
    ]


def test_expand_monthly_day_31_skips_shorter_months():
    dtstart = datetime(2027, 1, 31, 14, 0, tzinfo=SAO_PAULO)
    spec = parse_spec(
        {"frequency": "monthly", "monthly_by": "day_of_month", "count": 6}
    )

    text = build_rrule_text(spec, dtstart=dtstart)
    starts = expand(text, dtstart=dtstart, tz=SAO_PAULO)

    assert text == "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31;COUNT=6"
    assert iso(starts) == [
        "2027-01-31T14:00:00-03:00",
        "2027-03-31T14:00:00-03:00",
        "2027-05-31T14:00:00-03:00",
        "2027-07-31T14:00:00-03:00",
        "2027-08-31T14:00:00-03:00",
        "2027-10-31T14:00:00-03:00",
    ]


def test_expand_monthly_last_friday_for_a_year():
    dtstart = datetime(2027, 1, 29, 18, 0, tzinfo=SAO_PAULO)
    spec = parse_spec(
        {
            "frequency": "monthly",
            "monthly_by": "weekday_position",
            "position": -1,
            "weekdays": [4],
            "count": 12,
        }
    )

    text = build_rrule_text(spec, dtstart=dtstart)
    starts = expand(text, dtstart=dtstart, tz=SAO_PAULO)

    assert text == "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR;COUNT=12"
    assert iso(starts) == [
        "2027-01-29T18:00:00-03:00",
        "2027-02-26T18:00:00-03:00",
        "2027-03-26T18:00:00-03:00",
        "2027-04-30T18:00:00-03:00",
        "2027-05-28T18:00:00-03:00",
        "2027-06-25T18:00:00-03:00",
        "2027-07-30T18:00:00-03:00",
        "2027-08-27T18:00:00-03:00",
        "2027-09-24T18:00:00-03:00",
        "2027-10-29T18:00:00-03:00",
        "2027-11-26T18:00:00-03:00",
        "2027-12-31T18:00:00-03:00",
    ]


def test_expand_monthly_last_day_follows_month_length():
    dtstart = datetime(2028, 1, 31, 8, 0, tzinfo=SAO_PAULO)
    spec = parse_spec({"frequency": "monthly", "monthly_by": "last_day", "count": 6})

    text = build_rrule_text(spec, dtstart=dtstart)
    starts = expand(text, dtstart=dtstart, tz=SAO_PAULO)

    assert text == "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=-1;COUNT=6"
    assert iso(starts) == [
        "2028-01-31T08:00:00-03:00",
        "2028-02-29T08:00:00-03:00",
        "2028-03-31T08:00:00-03:00",
        "2028-04-30T08:00:00-03:00",
        "2028-05-31T08:00:00-03:00",
        "2028-06-30T08:00:00-03:00",
    ]


def test_expand_yearly_from_29_february_repeats_in_leap_years_only():
    dtstart = datetime(2028, 2, 29, 10, 0, tzinfo=SAO_PAULO)
    spec = parse_spec({"frequency": "yearly", "count": 3})

    text = build_rrule_text(spec, dtstart=dtstart)
    starts = expand(text, dtstart=dtstart, tz=SAO_PAULO)

    assert text == "FREQ=YEARLY;INTERVAL=1;BYMONTH=2;BYMONTHDAY=29;COUNT=3"
    assert iso(starts) == [
        "2028-02-29T10:00:00-03:00",
        "2032-02-29T10:00:00-03:00",
        "2036-02-29T10:00:00-03:00",
    ]


def test_expand_yearly_without_by_parts_takes_dtstart_month_and_day():
    dtstart = datetime(2028, 2, 29, 10, 0, tzinfo=SAO_PAULO)

    starts = expand("FREQ=YEARLY;COUNT=3", dtstart=dtstart, tz=SAO_PAULO)

    # dateutil's default, like RFC 5545: no 28 February or 1 March stand-in.
    assert iso(starts) == [
        "2028-02-29T10:00:00-03:00",
        "2032-02-29T10:00:00-03:00",
        "2036-02-29T10:00:00-03:00",
    ]


def test_expand_utc_until_equal_to_an_occurrence_includes_it():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    starts = expand("FREQ=DAILY;UNTIL=20270305T130000Z", dtstart=dtstart, tz=SAO_PAULO)

    assert iso(starts) == [
        "2027-03-01T10:00:00-03:00",
        "2027-03-02T10:00:00-03:00",
        "2027-03-03T10:00:00-03:00",
        "2027-03-04T10:00:00-03:00",
        "2027-03-05T10:00:00-03:00",
    ]


def test_expand_utc_until_one_second_before_an_occurrence_excludes_it():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    starts = expand("FREQ=DAILY;UNTIL=20270305T125959Z", dtstart=dtstart, tz=SAO_PAULO)

    assert iso(starts) == [
        "2027-03-01T10:00:00-03:00",
        "2027-03-02T10:00:00-03:00",
        "2027-03-03T10:00:00-03:00",
        "2027-03-04T10:00:00-03:00",
    ]


def test_expand_floating_and_date_until_read_in_the_company_zone():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    floating = expand("FREQ=DAILY;UNTIL=20270302T100000", dtstart=dtstart, tz=SAO_PAULO)
    whole_day = expand("FREQ=DAILY;UNTIL=20270302", dtstart=dtstart, tz=SAO_PAULO)

    assert iso(floating) == ["2027-03-01T10:00:00-03:00", "2027-03-02T10:00:00-03:00"]
    assert iso(whole_day) == ["2027-03-01T10:00:00-03:00", "2027-03-02T10:00:00-03:00"]


MALFORMED_RULES = [
    "",
    "   ",
    "garbage",
    "FREQ=SOMETIMES;COUNT=3",
    "FREQ=HOURLY;COUNT=3",
    "FREQ=MINUTELY;COUNT=3",
    "FREQ=SECONDLY;COUNT=3",
    "COUNT=3",
    "FREQ=WEEKLY;BYDAY=XX;COUNT=3",
    "FREQ=WEEKLY;BYDAY=+1MO;COUNT=3",
    "FREQ=MONTHLY;BYDAY=+6FR;COUNT=3",
    "FREQ=MONTHLY;BYDAY=0FR;COUNT=3",
    "FREQ=MONTHLY;BYMONTHDAY=32;COUNT=3",
    "FREQ=MONTHLY;BYMONTHDAY=0;COUNT=3",
    "FREQ=YEARLY;BYMONTH=13;COUNT=3",
    "FREQ=WEEKLY;BYMONTHDAY=1;COUNT=3",
    "FREQ=MONTHLY;BYWEEKNO=10;COUNT=3",
    "FREQ=DAILY;BYHOUR=9;COUNT=3",
    "FREQ=DAILY;COUNT=0",
    "FREQ=DAILY;COUNT=-1",
    "FREQ=DAILY;COUNT=abc",
    "FREQ=DAILY;COUNT=1_0",
    "FREQ=DAILY;COUNT",
    "FREQ=DAILY;INTERVAL=0;COUNT=3",
    "FREQ=DAILY;COUNT=3;",
    "FREQ=DAILY;FREQ=WEEKLY;COUNT=3",
    "FREQ=DAILY;COUNT=3;UNTIL=20270310T000000Z",
    "FREQ=DAILY;UNTIL=2027-03-10",
    "FREQ=DAILY;UNTIL=20270230T000000Z",
    "FREQ=DAILY;COUNT=3;X-NAME=1",
    "FREQ=YEARLY;BYEASTER=0;COUNT=3",
    "FREQ=DAILY;DTSTART=20270301T100000;COUNT=3",
    "DTSTART:20270301T100000\nRRULE:FREQ=DAILY;COUNT=3",
    "FREQ=DAILY;COUNT=3\nEXDATE:20270302T100000",
    "FREQ = DAILY;COUNT=3",
    "FREQ=DAILY;COUNT=" + "9" * 1000,
]


@pytest.mark.parametrize("text", MALFORMED_RULES)
def test_expand_malformed_rule_is_invalid_recurrence(text):
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    with pytest.raises(RecurrenceError) as caught:
        expand(text, dtstart=dtstart, tz=SAO_PAULO)

    assert caught.value.code == INVALID_RECURRENCE
    assert caught.value.message in (MESSAGE_INVALID, MESSAGE_COUNT_OR_UNTIL)


def test_expand_accepts_prefix_and_lower_case():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    starts = expand(" rrule:freq=daily;count=2 ", dtstart=dtstart, tz=SAO_PAULO)

    assert iso(starts) == ["2027-03-01T10:00:00-03:00", "2027-03-02T10:00:00-03:00"]


def test_expand_daily_keeps_local_time_across_spring_forward():
    dtstart = datetime(2027, 3, 10, 10, 0, tzinfo=NEW_YORK)
    spec = parse_spec({"frequency": "daily", "count": 10})

    starts = expand(
        build_rrule_text(spec, dtstart=dtstart), dtstart=dtstart, tz=NEW_YORK
    )

    assert iso(starts) == [
        "2027-03-10T10:00:00-05:00",
        "2027-03-11T10:00:00-05:00",
        "2027-03-12T10:00:00-05:00",
        "2027-03-13T10:00:00-05:00",
        "2027-03-14T10:00:00-04:00",
        "2027-03-15T10:00:00-04:00",
        "2027-03-16T10:00:00-04:00",
        "2027-03-17T10:00:00-04:00",
        "2027-03-18T10:00:00-04:00",
        "2027-03-19T10:00:00-04:00",
    ]


def test_expand_daily_keeps_local_time_across_fall_back():
    dtstart = datetime(2027, 11, 4, 10, 0, tzinfo=NEW_YORK)

    starts = expand("FREQ=DAILY;INTERVAL=1;COUNT=10", dtstart=dtstart, tz=NEW_YORK)

    assert iso(starts) == [
        "2027-11-04T10:00:00-04:00",
        "2027-11-05T10:00:00-04:00",
        "2027-11-06T10:00:00-04:00",
        "2027-11-07T10:00:00-05:00",
        "2027-11-08T10:00:00-05:00",
        "2027-11-09T10:00:00-05:00",
        "2027-11-10T10:00:00-05:00",
        "2027-11-11T10:00:00-05:00",
        "2027-11-12T10:00:00-05:00",
        "2027-11-13T10:00:00-05:00",
    ]


def test_expand_dtstart_given_in_utc_runs_in_the_company_zone():
    dtstart = datetime(2027, 3, 13, 15, 0, tzinfo=UTC)  # 10:00 in New York

    starts = expand("FREQ=DAILY;COUNT=2", dtstart=dtstart, tz=NEW_YORK)

    assert iso(starts) == ["2027-03-13T10:00:00-05:00", "2027-03-14T10:00:00-04:00"]


def test_expand_time_in_dst_gap_moves_to_the_same_instant_after_it():
    dtstart = datetime(2027, 3, 13, 2, 30, tzinfo=NEW_YORK)

    starts = expand("FREQ=DAILY;COUNT=3", dtstart=dtstart, tz=NEW_YORK)

    assert iso(starts) == [
        "2027-03-13T02:30:00-05:00",
        "2027-03-14T03:30:00-04:00",
        "2027-03-15T02:30:00-04:00",
    ]


def test_expand_dtstart_in_repeated_hour_keeps_its_fold():
    dtstart = datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=NEW_YORK)

    starts = expand("FREQ=DAILY;COUNT=2", dtstart=dtstart, tz=NEW_YORK)

    assert iso(starts) == ["2027-11-07T01:30:00-05:00", "2027-11-08T01:30:00-05:00"]


def test_build_rrule_text_until_is_end_of_local_day_in_utc():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)
    spec = parse_spec(
        {"frequency": "weekly", "weekdays": [2, 0], "until": "2027-03-10"}
    )

    text = build_rrule_text(spec, dtstart=dtstart)

    assert text == "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;UNTIL=20270311T025959Z"


def test_expand_structured_until_includes_an_occurrence_on_that_day():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    starts = expand_spec(
        {"frequency": "weekly", "weekdays": [0, 2], "until": "2027-03-10"}, dtstart
    )

    assert iso(starts) == [
        "2027-03-01T10:00:00-03:00",
        "2027-03-03T10:00:00-03:00",
        "2027-03-08T10:00:00-03:00",
        "2027-03-10T10:00:00-03:00",
    ]


def test_expand_structured_until_late_evening_in_zone_with_dst():
    # 23:30 in New York is already the next day in UTC.
    dtstart = datetime(2027, 11, 5, 23, 30, tzinfo=NEW_YORK)

    starts = expand_spec({"frequency": "daily", "until": date(2027, 11, 7)}, dtstart)

    assert iso(starts) == [
        "2027-11-05T23:30:00-04:00",
        "2027-11-06T23:30:00-04:00",
        "2027-11-07T23:30:00-05:00",
    ]


def test_build_rrule_text_weekly_without_weekdays_uses_dtstart_weekday():
    dtstart = datetime(2027, 3, 4, 10, 0, tzinfo=SAO_PAULO)  # a Thursday
    spec = RecurrenceSpec(frequency="weekly", interval=2, count=5)

    text = build_rrule_text(spec, dtstart=dtstart)

    assert text == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=5"


def test_build_rrule_text_weekday_position_derived_from_dtstart():
    second_tuesday = datetime(2027, 3, 9, 10, 0, tzinfo=SAO_PAULO)
    fifth_wednesday = datetime(2027, 3, 31, 10, 0, tzinfo=SAO_PAULO)
    spec = RecurrenceSpec(frequency="monthly", monthly_by="weekday_position", count=3)

    second = build_rrule_text(spec, dtstart=second_tuesday)
    last = build_rrule_text(spec, dtstart=fifth_wednesday)

    assert second == "FREQ=MONTHLY;INTERVAL=1;BYDAY=+2TU;COUNT=3"
    assert last == "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1WE;COUNT=3"


def test_expand_monthly_second_tuesday_every_two_months():
    dtstart = datetime(2027, 3, 9, 10, 0, tzinfo=SAO_PAULO)

    starts = expand_spec(
        {
            "frequency": "monthly",
            "interval": 2,
            "monthly_by": "weekday_position",
            "count": 4,
        },
        dtstart,
    )

    assert iso(starts) == [
        "2027-03-09T10:00:00-03:00",
        "2027-05-11T10:00:00-03:00",
        "2027-07-13T10:00:00-03:00",
        "2027-09-14T10:00:00-03:00",
    ]


def test_build_rrule_text_daily_without_by_parts():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    text = build_rrule_text(
        RecurrenceSpec("daily", interval=3, count=4), dtstart=dtstart
    )

    assert text == "FREQ=DAILY;INTERVAL=3;COUNT=4"


def test_parse_spec_count_201_is_too_long():
    with pytest.raises(RecurrenceError) as caught:
        parse_spec({"frequency": "daily", "count": 201})

    assert caught.value.code == RECURRENCE_TOO_LONG
    assert caught.value.message == MESSAGE_TOO_MANY


def test_parse_spec_count_200_is_accepted():
    spec = parse_spec({"frequency": "daily", "count": 200})

    assert spec == RecurrenceSpec(frequency="daily", count=200)


def test_expand_count_201_is_too_long():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    with pytest.raises(RecurrenceError) as caught:
        expand("FREQ=DAILY;COUNT=201", dtstart=dtstart, tz=SAO_PAULO)

    assert caught.value.code == RECURRENCE_TOO_LONG
    assert caught.value.message == MESSAGE_TOO_MANY


def test_expand_until_more_occurrences_than_the_limit_is_too_long():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    with pytest.raises(RecurrenceError) as caught:
        expand(
            "FREQ=DAILY;UNTIL=20270310T235959Z", dtstart=dtstart, tz=SAO_PAULO, limit=5
        )

    assert caught.value.code == RECURRENCE_TOO_LONG
    assert caught.value.message == MESSAGE_TOO_MANY


def test_expand_until_two_years_ahead_is_accepted():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    starts = expand_spec({"frequency": "monthly", "until": "2029-03-01"}, dtstart)

    assert len(starts) == 25
    assert iso(starts[-2:]) == [
        "2029-02-01T10:00:00-03:00",
        "2029-03-01T10:00:00-03:00",
    ]


def test_expand_until_two_years_and_a_day_ahead_is_too_long():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    with pytest.raises(RecurrenceError) as caught:
        expand_spec({"frequency": "monthly", "until": "2029-03-02"}, dtstart)

    assert caught.value.code == RECURRENCE_TOO_LONG
    assert caught.value.message == MESSAGE_TOO_FAR


def test_expand_rule_without_end_is_too_long_without_a_window():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    with pytest.raises(RecurrenceError) as caught:
        expand("FREQ=WEEKLY;BYDAY=MO", dtstart=dtstart, tz=SAO_PAULO)

    assert caught.value.code == RECURRENCE_TOO_LONG
    assert caught.value.message == MESSAGE_UNBOUNDED


def test_expand_count_not_reached_within_horizon_is_too_long():
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)

    with pytest.raises(RecurrenceError) as caught:
        expand("FREQ=YEARLY;INTERVAL=60;COUNT=3", dtstart=dtstart, tz=SAO_PAULO)

    assert caught.value.code == RECURRENCE_TOO_LONG
    assert caught.value.message == MESSAGE_TOO_FAR


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3",
        "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31;COUNT=3",
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=3",
        "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2;COUNT=3",
        "FREQ=DAILY;UNTIL=20270228T130000Z",
    ],
)
def test_expand_rule_with_no_occurrence_is_empty(text):
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=SAO_PAULO)  # a Monday

    with pytest.raises(RecurrenceError) as caught:
        expand(text, dtstart=dtstart, tz=SAO_PAULO)

    assert caught.value.code == RECURRENCE_EMPTY
    assert caught.value.message == MESSAGE_EMPTY


def test_expand_impossible_daily_rule_gives_up_quickly(monkeypatch):
    dtstart = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    searched_until = []
    real_rrulestr = recurrence.rrulestr

    def spy(text, **kwargs):
        searched_until.append(text.rpartition("UNTIL=")[2])
        return real_rrulestr(text, **kwargs)

    monkeypatch.setattr(recurrence, "rrulestr", spy)

    with pytest.raises(RecurrenceError):
        expand("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", dtstart=dtstart, tz=UTC)

    # 100 years on, moved by 19 Gregorian cycles: dateutil, which scans to
    # the year 9999 for a match, has 272 years left instead of 7,972.
    assert searched_until == ["97270301T100000"]


def test_expand_window_over_unbounded_weekday_rule(monkeypatch):
    dtstart = datetime(2027, 3, 1, 12, 0, tzinfo=SAO_PAULO)  # a Monday
    window_start = datetime(2027, 3, 1, 0, 0, tzinfo=SAO_PAULO)
    window_end = datetime(2027, 5, 2, 0, 0, tzinfo=SAO_PAULO)  # 62 days on
    generated = []
    real_rrulestr = recurrence.rrulestr

    def spy(text, **kwargs):
        for occurrence in real_rrulestr(text, **kwargs):
            generated.append(occurrence)
            yield occurrence

    monkeypatch.setattr(recurrence, "rrulestr", spy)

    starts = expand(
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        dtstart=dtstart,
        tz=SAO_PAULO,
        window_start=window_start,
        window_end=window_end,
    )

    assert len(starts) == 45
    assert iso([starts[0], starts[-1]]) == [
        "2027-03-01T12:00:00-03:00",
        "2027-04-30T12:00:00-03:00",
    ]
    assert len(generated) == 45


def test_expand_window_far_from_dtstart_keeps_the_interval():
    dtstart = datetime(2027, 3, 1, 12, 0, tzinfo=SAO_PAULO)

    starts = expand(
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        dtstart=dtstart,
        tz=SAO_PAULO,
        window_start=datetime(2028, 1, 1, tzinfo=SAO_PAULO),
        window_end=datetime(2028, 2, 1, tzinfo=SAO_PAULO),
    )

    assert iso(starts) == [
        "2028-01-03T12:00:00-03:00",
        "2028-01-17T12:00:00-03:00",
        "2028-01-31T12:00:00-03:00",
    ]


def test_expand_window_bounds_are_instants_half_open():
    dtstart = datetime(2027, 3, 1, 12, 0, tzinfo=SAO_PAULO)

    starts = expand(
        "FREQ=DAILY",
        dtstart=dtstart,
        tz=SAO_PAULO,
        window_start=datetime(2027, 3, 2, 15, 0, tzinfo=UTC),  # 12:00 local
        window_end=datetime(2027, 3, 4, 15, 0, tzinfo=UTC),
    )

    assert iso(starts) == ["2027-03-02T12:00:00-03:00", "2027-03-03T12:00:00-03:00"]


def test_expand_window_counts_from_dtstart():
    dtstart = datetime(2027, 3, 1, 12, 0, tzinfo=SAO_PAULO)

    starts = expand(
        "FREQ=DAILY;COUNT=5",
        dtstart=dtstart,
        tz=SAO_PAULO,
        window_start=datetime(2027, 3, 4, tzinfo=SAO_PAULO),
        window_end=datetime(2027, 3, 31, tzinfo=SAO_PAULO),
    )

    assert iso(starts) == ["2027-03-04T12:00:00-03:00", "2027-03-05T12:00:00-03:00"]


def test_expand_window_without_occurrences_is_empty_list():
    dtstart = datetime(2027, 3, 1, 12, 0, tzinfo=SAO_PAULO)

    starts = expand(
        "FREQ=WEEKLY;BYDAY=SA",
        dtstart=dtstart,
        tz=SAO_PAULO,
        window_start=datetime(2027, 3, 8, tzinfo=SAO_PAULO),
        window_end=datetime(2027, 3, 13, tzinfo=SAO_PAULO),
    )

    assert starts == []


def test_expand_window_needs_both_bounds():
    dtstart = datetime(2027, 3, 1, 12, 0, tzinfo=SAO_PAULO)

    with pytest.raises(ValueError, match="both window bounds"):
        expand("FREQ=DAILY", dtstart=dtstart, tz=SAO_PAULO, window_end=dtstart)


def test_expand_naive_dtstart_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        expand("FREQ=DAILY;COUNT=1", dtstart=datetime(2027, 3, 1), tz=SAO_PAULO)


def test_parse_spec_returns_rrule_text_as_sent():
    rule = parse_spec({"rrule": "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"})

    assert rule == "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"


def test_parse_spec_reads_every_field():
    spec = parse_spec(
        {
            "frequency": "monthly",
            "interval": 2,
            "weekdays": [1],
            "monthly_by": "weekday_position",
            "position": 2,
            "count": None,
            "until": "2027-12-31",
        }
    )

    assert spec == RecurrenceSpec(
        frequency="monthly",
        interval=2,
        weekdays=(1,),
        monthly_by="weekday_position",
        position=2,
        until=date(2027, 12, 31),
    )


@pytest.mark.parametrize(
    "data",
    [
        [],
        {},
        {"rrule": 42},
        {"rrule": "FREQ=SOMETIMES"},
        {"rrule": "FREQ=DAILY;COUNT=3", "count": 3},
        {"frequency": "hourly", "count": 3},
        {"frequency": "DAILY", "count": 3},
        {"frequency": None, "count": 3},
        {"frequency": "daily", "count": 3, "colour": "blue"},
        {"frequency": "daily"},
        {"frequency": "daily", "count": 3, "until": "2027-03-10"},
        {"frequency": "daily", "count": 0},
        {"frequency": "daily", "count": "3"},
        {"frequency": "daily", "count": True},
        {"frequency": "daily", "count": 3.0},
        {"frequency": "daily", "interval": 0, "count": 3},
        {"frequency": "daily", "interval": True, "count": 3},
        {"frequency": "daily", "until": "10/03/2027"},
        {"frequency": "daily", "until": "2027-03-10T10:00:00"},
        {"frequency": "daily", "until": 20270310},
        {"frequency": "weekly", "weekdays": [7], "count": 3},
        {"frequency": "weekly", "weekdays": [-1], "count": 3},
        {"frequency": "weekly", "weekdays": [False], "count": 3},
        {"frequency": "weekly", "weekdays": "0,2", "count": 3},
        {"frequency": "daily", "weekdays": [0], "count": 3},
        {"frequency": "weekly", "monthly_by": "last_day", "count": 3},
        {"frequency": "monthly", "monthly_by": "first_day", "count": 3},
        {"frequency": "monthly", "monthly_by": "last_day", "weekdays": [4], "count": 3},
        {"frequency": "monthly", "position": 2, "count": 3},
        {
            "frequency": "monthly",
            "monthly_by": "weekday_position",
            "position": 5,
            "count": 3,
        },
    ],
)
def test_parse_spec_invalid_object_is_invalid_recurrence(data):
    with pytest.raises(RecurrenceError) as caught:
        parse_spec(data)

    assert caught.value.code == INVALID_RECURRENCE


def test_parse_spec_count_and_until_together_names_the_problem():
    with pytest.raises(RecurrenceError) as caught:
        parse_spec({"frequency": "daily", "count": 3, "until": "2027-03-10"})

    assert caught.value.message == MESSAGE_COUNT_OR_UNTIL


def test_recurrence_error_messages_come_from_the_fixed_set():
    error = RecurrenceError(RECURRENCE_EMPTY)

    assert error.message == MESSAGE_EMPTY
    assert str(error) == MESSAGE_EMPTY
    assert isinstance(error, ValueError)
    assert len(set(MESSAGES)) == 6
