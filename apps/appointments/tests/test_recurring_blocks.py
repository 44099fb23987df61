"""Recurring time blocks through the API, honoured by availability and by
the conflict checks of single bookings, series and reschedules."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.accounts.models import User
from apps.appointments.models import Actor, Service, TimeBlock
from apps.core.tests.factories import (
    ActorServiceFactory,
    ServiceFactory,
    TimeBlockFactory,
    full_week,
)

APPOINTMENTS = "/api/appointments/"
BLOCKS = "/api/appointments/time-blocks/"
AVAILABILITY = "/api/appointments/availability/"
NOW = "2027-01-01 12:00:00+00:00"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
FIRST_MONDAY = date(2027, 1, 4)
WEEKDAY_LUNCH = {"frequency": "weekly", "weekdays": [0, 1, 2, 3, 4]}
WEEKDAY_LUNCH_RRULE = {"rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}
# Every read of availability for one actor: the service, the actor's offer,
# working hours, time blocks and appointments, whatever the range.
AVAILABILITY_QUERY_BOUND = 5


@dataclass
class Studio:
    actor: Actor
    service: Service
    manager: User
    customer: User


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def studio(tenant_a, clock) -> Studio:
    company = tenant_a.company
    # Wide enough that the 62-day reads below stay inside it for customers.
    company.booking_horizon_days = 120
    company.save(update_fields=["booking_horizon_days"])
    service = ServiceFactory(
        company=company, name="Massage", duration_minutes=30, price=Decimal("90.00")
    )
    ActorServiceFactory(actor=tenant_a.actor, service=service)
    full_week(tenant_a.actor, start=time(9), end=time(18))
    return Studio(
        actor=tenant_a.actor,
        service=service,
        manager=tenant_a.manager,
        customer=tenant_a.customer,
    )


def create_block(api, studio: Studio, start: str, end: str, recurrence, **extra):
    body = {
        "actor": studio.actor.id,
        "start": start,
        "end": end,
        "reason": "Lunch",
        "recurrence": recurrence,
        **extra,
    }
    return api.as_user(studio.manager).post(BLOCKS, body, format="json")


def lunch_block(api, studio: Studio, recurrence=WEEKDAY_LUNCH) -> dict:
    response = create_block(
        api, studio, "2027-01-04T12:00", "2027-01-04T13:00", recurrence
    )
    assert response.status_code == 201
    return response.json()


def slots(api, studio: Studio, date_from: date, date_to: date) -> list[str]:
    response = api.as_user(studio.customer).get(
        AVAILABILITY,
        {
            "service": studio.service.id,
            "actor": studio.actor.id,
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
        },
    )
    assert response.status_code == 200
    return [slot["start"] for slot in response.json()["slots"]]


def book(api, studio: Studio, start: str):
    return api.as_user(studio.manager).post(
        APPOINTMENTS,
        {
            "actor": studio.actor.id,
            "service": studio.service.id,
            "customer": studio.customer.id,
            "start": start,
        },
        format="json",
    )


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SAO_PAULO)


def day_slots(starts: list[str], day: date) -> list[str]:
    """HH:MM of the slots on one local day."""
    prefix = day.isoformat()
    return [start[11:16] for start in starts if start.startswith(prefix)]


def quarter_hours(first: str, last: str) -> list[str]:
    """Every quarter hour from first to last, inclusive, as HH:MM."""
    hour, minute = map(int, first.split(":"))
    current = hour * 60 + minute
    end_hour, end_minute = map(int, last.split(":"))
    result = []
    while current <= end_hour * 60 + end_minute:
        result.append(f"{current // 60:02d}:{current % 60:02d}")
        current += 15
    return result


# Creating recurring blocks.


def test_time_block_create_weekday_lunch_without_end(api, studio):
    response = create_block(
        api, studio, "2027-01-04T12:00", "2027-01-04T13:00", WEEKDAY_LUNCH
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rrule"] == "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR"
    assert body["recurrence"] == {
        "rrule": "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR"
    }
    assert body["recurrence_end"] is None
    assert body["start"] == "2027-01-04T12:00:00-03:00"
    assert body["end"] == "2027-01-04T13:00:00-03:00"


def test_time_block_create_raw_rrule_is_stored_as_sent(api, studio):
    response = create_block(
        api, studio, "2027-01-04T12:00", "2027-01-04T13:00", WEEKDAY_LUNCH_RRULE
    )

    assert response.status_code == 201
    assert response.json()["rrule"] == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert response.json()["recurrence_end"] is None


def test_time_block_create_every_other_friday_until_records_its_end(api, studio):
    recurrence = {
        "frequency": "weekly",
        "interval": 2,
        "weekdays": [4],
        "until": "2027-02-19",
    }

    response = create_block(
        api, studio, "2027-01-08T14:00", "2027-01-08T18:00", recurrence
    )

    assert response.status_code == 201
    assert response.json()["rrule"] == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;UNTIL=20270220T025959Z"
    )
    assert response.json()["recurrence_end"] == "2027-02-19T18:00:00-03:00"


@pytest.mark.parametrize(
    "recurrence",
    [
        "weekly",
        ["weekly"],
        7,
        True,
        {},
        {"frequency": "hourly"},
        {"frequency": "weekly", "weekdays": [0, 9]},
        {"frequency": "weekly", "weekdays": "weekdays"},
        {"frequency": "weekly", "count": 3, "until": "2027-02-01"},
        {"frequency": "weekly", "interval": -1},
        {"rrule": "FREQ=SOMETIMES"},
        {"rrule": "FREQ=DAILY;BYMINUTE=30"},
        {"rrule": 12},
    ],
)
def test_time_block_create_malformed_rule_is_400_invalid_recurrence(
    api, studio, recurrence
):
    response = create_block(
        api, studio, "2027-01-04T12:00", "2027-01-04T13:00", recurrence
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_recurrence"
    assert TimeBlock.objects.count() == 0


@pytest.mark.parametrize(
    ("recurrence", "code"),
    [
        ({"frequency": "daily", "count": 201}, "recurrence_too_long"),
        ({"frequency": "daily", "until": "2029-01-05"}, "recurrence_too_long"),
        ({"frequency": "daily", "until": "2027-01-03"}, "recurrence_empty"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "recurrence_empty"),
    ],
)
def test_time_block_create_rule_out_of_limits_is_400(api, studio, recurrence, code):
    response = create_block(
        api, studio, "2027-01-04T12:00", "2027-01-04T13:00", recurrence
    )

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert TimeBlock.objects.count() == 0


def test_time_block_update_to_null_recurrence_makes_it_one_off(api, studio):
    block = lunch_block(api, studio)

    response = api.as_user(studio.manager).patch(
        f"{BLOCKS}{block['id']}/", {"recurrence": None}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["rrule"] == ""
    assert book(api, studio, "2027-01-05T12:00").status_code == 201


def test_time_block_update_keeps_the_rule_when_recurrence_is_absent(api, studio):
    block = lunch_block(api, studio)

    response = api.as_user(studio.manager).patch(
        f"{BLOCKS}{block['id']}/",
        {"start": "2027-01-04T12:30", "end": "2027-01-04T13:30"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["rrule"] == "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR"
    assert book(api, studio, "2027-01-05T12:00").status_code == 201
    assert book(api, studio, "2027-01-05T13:00").json()["reason"] == "overlaps_block"


def test_time_block_of_another_companys_actor_is_404(api, studio, tenant_b):
    response = api.as_user(tenant_b.manager).post(
        BLOCKS,
        {
            "actor": studio.actor.id,
            "start": "2027-01-04T12:00",
            "end": "2027-01-04T13:00",
            "recurrence": WEEKDAY_LUNCH,
        },
        format="json",
    )

    assert response.status_code == 404
    assert TimeBlock.objects.count() == 0


# Availability.

MONDAY_SLOTS_AROUND_LUNCH = quarter_hours("09:00", "11:30") + quarter_hours(
    "13:00", "17:30"
)
FREE_DAY_SLOTS = quarter_hours("09:00", "17:30")


@pytest.mark.parametrize("recurrence", [WEEKDAY_LUNCH, WEEKDAY_LUNCH_RRULE])
def test_availability_with_weekday_lunch_block_over_62_days(api, studio, recurrence):
    lunch_block(api, studio, recurrence)
    last_day = FIRST_MONDAY + timedelta(days=61)

    starts = slots(api, studio, FIRST_MONDAY, last_day)

    for offset in range(62):
        day = FIRST_MONDAY + timedelta(days=offset)
        expected = MONDAY_SLOTS_AROUND_LUNCH if day.weekday() < 5 else FREE_DAY_SLOTS
        assert day_slots(starts, day) == expected, day
    assert len(starts) == 45 * len(MONDAY_SLOTS_AROUND_LUNCH) + 17 * len(FREE_DAY_SLOTS)


def test_availability_lunch_block_created_before_the_window(api, studio):
    # First occurrence a year before the range asked for.
    create_block(api, studio, "2026-01-05T12:00", "2026-01-05T13:00", WEEKDAY_LUNCH)

    starts = slots(api, studio, date(2027, 2, 1), date(2027, 2, 7))

    assert day_slots(starts, date(2027, 2, 1)) == MONDAY_SLOTS_AROUND_LUNCH
    assert day_slots(starts, date(2027, 2, 6)) == FREE_DAY_SLOTS


def test_availability_every_other_friday_until_its_end(api, studio):
    recurrence = {
        "frequency": "weekly",
        "interval": 2,
        "weekdays": [4],
        "until": "2027-02-19",
    }
    create_block(api, studio, "2027-01-08T14:00", "2027-01-08T18:00", recurrence)
    morning = quarter_hours("09:00", "13:30")

    starts = slots(api, studio, date(2027, 1, 4), date(2027, 3, 6))

    fridays = {
        date(2027, 1, 8): morning,
        date(2027, 1, 15): FREE_DAY_SLOTS,
        date(2027, 1, 22): morning,
        date(2027, 1, 29): FREE_DAY_SLOTS,
        date(2027, 2, 5): morning,
        date(2027, 2, 12): FREE_DAY_SLOTS,
        date(2027, 2, 19): morning,
        date(2027, 2, 26): FREE_DAY_SLOTS,
        date(2027, 3, 5): FREE_DAY_SLOTS,
    }
    assert {day: day_slots(starts, day) for day in fridays} == fridays


def test_availability_query_count_is_the_same_for_7_and_62_days(
    api, studio, django_assert_max_num_queries
):
    lunch_block(api, studio)
    lunch_block(api, studio, WEEKDAY_LUNCH_RRULE)
    TimeBlockFactory(
        actor=studio.actor,
        start=at(date(2027, 1, 20), 15),
        end=at(date(2027, 1, 20), 16),
    )
    for day in (date(2027, 1, 5), date(2027, 2, 16)):
        assert book(api, studio, f"{day.isoformat()}T10:00").status_code == 201
    client = api.as_user(studio.customer)
    params = {"service": studio.service.id, "actor": studio.actor.id}
    client.get(AVAILABILITY, {**params, "date_from": "2027-01-04"})

    with django_assert_max_num_queries(AVAILABILITY_QUERY_BOUND):
        week = client.get(
            AVAILABILITY, {**params, "date_from": "2027-01-04", "date_to": "2027-01-10"}
        )
    with django_assert_max_num_queries(AVAILABILITY_QUERY_BOUND):
        months = client.get(
            AVAILABILITY, {**params, "date_from": "2027-01-04", "date_to": "2027-03-06"}
        )

    # 30 slots a weekday, 35 a weekend day; each booking takes 3 starts
    # (09:45, 10:00, 10:15) and the one-off block 5 (14:45 to 15:45).
    assert week.status_code == 200
    assert len(week.json()["slots"]) == 5 * 30 + 2 * 35 - 3
    assert months.status_code == 200
    assert len(months.json()["slots"]) == 45 * 30 + 17 * 35 - 3 - 3 - 5


# Conflict validation.


@pytest.mark.parametrize("recurrence", [WEEKDAY_LUNCH, WEEKDAY_LUNCH_RRULE])
@pytest.mark.parametrize(
    "start", ["2027-02-10T12:00", "2027-02-10T11:45", "2027-02-10T12:45"]
)
def test_appointment_create_inside_recurring_lunch_is_409(
    api, studio, recurrence, start
):
    lunch_block(api, studio, recurrence)

    response = book(api, studio, start)

    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"
    assert response.json()["reason"] == "overlaps_block"


@pytest.mark.parametrize(
    "start", ["2027-02-10T11:30", "2027-02-10T13:00", "2027-02-13T12:00"]
)
def test_appointment_create_next_to_or_outside_lunch_is_201(api, studio, start):
    lunch_block(api, studio)

    response = book(api, studio, start)

    assert response.status_code == 201


def test_appointment_reschedule_into_recurring_lunch_is_409(api, studio):
    lunch_block(api, studio)
    appointment = book(api, studio, "2027-02-10T10:00").json()

    response = api.as_user(studio.manager).post(
        f"{APPOINTMENTS}{appointment['id']}/reschedule/",
        {"start": "2027-02-11T12:15"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["reason"] == "overlaps_block"


def test_series_create_skips_weekdays_of_the_lunch_block(api, studio):
    lunch_block(api, studio)

    response = api.as_user(studio.manager).post(
        APPOINTMENTS,
        {
            "actor": studio.actor.id,
            "service": studio.service.id,
            "customer": studio.customer.id,
            "start": "2027-01-07T12:00",
            "recurrence": {"frequency": "daily", "count": 5},
            "skip_conflicts": True,
        },
        format="json",
    )

    assert response.status_code == 201
    assert [item["start"] for item in response.json()["appointments"]] == [
        "2027-01-09T12:00:00-03:00",
        "2027-01-10T12:00:00-03:00",
    ]
    assert response.json()["skipped"] == [
        {"start": "2027-01-07T12:00:00-03:00", "reason": "overlaps_block"},
        {"start": "2027-01-08T12:00:00-03:00", "reason": "overlaps_block"},
        {"start": "2027-01-11T12:00:00-03:00", "reason": "overlaps_block"},
    ]


def test_recurring_block_keeps_local_time_across_dst(api, studio):
    company = studio.actor.company
    company.timezone = "America/New_York"
    company.save(update_fields=["timezone"])
    create_block(
        api, studio, "2027-03-12T12:00", "2027-03-12T13:00", {"rrule": "FREQ=DAILY"}
    )

    before = book(api, studio, "2027-03-13T12:00")
    after = book(api, studio, "2027-03-15T12:00")
    free = book(api, studio, "2027-03-15T13:00")

    assert before.json()["reason"] == "overlaps_block"
    assert after.json()["reason"] == "overlaps_block"
    assert free.status_code == 201
    assert free.json()["start"] == "2027-03-15T13:00:00-04:00"


def test_series_longer_than_200_block_occurrences_still_honours_the_block(api, studio):
    lunch_block(api, studio)
    # Mondays and Saturdays for sixty weeks: the weekday block repeats about
    # 300 times in that span, and every Monday falls inside it.
    recurrence = {"frequency": "weekly", "weekdays": [0, 5], "count": 120}

    response = api.as_user(studio.manager).post(
        APPOINTMENTS,
        {
            "actor": studio.actor.id,
            "service": studio.service.id,
            "customer": studio.customer.id,
            "start": "2027-01-04T12:00",
            "recurrence": recurrence,
            "skip_conflicts": True,
        },
        format="json",
    )

    assert response.status_code == 201
    skipped = response.json()["skipped"]
    created = [item["start"] for item in response.json()["appointments"]]
    assert len(skipped) == 60
    assert {item["reason"] for item in skipped} == {"overlaps_block"}
    assert skipped[0]["start"] == "2027-01-04T12:00:00-03:00"
    assert skipped[-1]["start"] == "2028-02-21T12:00:00-03:00"
    assert len(created) == 60
    assert created[0] == "2027-01-09T12:00:00-03:00"
    assert created[-1] == "2028-02-26T12:00:00-03:00"
