"""Recurring appointments through the API: POST with `recurrence`, the
series endpoint, and the operations on a series and its occurrences."""

from dataclasses import dataclass
from datetime import UTC, time
from decimal import Decimal

import pytest
import time_machine

from apps.accounts.models import User
from apps.appointments.events import appointment_changed
from apps.appointments.models import (
    Actor,
    Appointment,
    AppointmentHistory,
    AppointmentSeries,
    Service,
)
from apps.core.tests.factories import (
    ActorServiceFactory,
    CompanyFactory,
    ServiceFactory,
    actor_of,
    full_week,
    member,
)
from apps.feature_flags.models import Flag

URL = "/api/appointments/"
# Two days before the first start any test books; staff are not held to the
# booking horizon, so series reaching years ahead are still theirs to book.
NOW = "2027-01-01 12:00:00+00:00"


@dataclass
class Salon:
    actor: Actor
    service: Service
    manager: User
    customer: User


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_salon(tenant, *, timezone: str | None = None) -> Salon:
    company = tenant.company
    if timezone is not None:
        company.timezone = timezone
        company.save(update_fields=["timezone"])
    service = ServiceFactory(
        company=company, name="Cut", duration_minutes=30, price=Decimal("50.00")
    )
    ActorServiceFactory(actor=tenant.actor, service=service)
    # 06:00 to 22:00 every day: wide enough for every start used here.
    full_week(tenant.actor, start=time(6), end=time(22))
    return Salon(
        actor=tenant.actor,
        service=service,
        manager=tenant.manager,
        customer=tenant.customer,
    )


@pytest.fixture
def salon(tenant_a, clock) -> Salon:
    return make_salon(tenant_a)


def book_series(api, salon: Salon, start: str, recurrence, *, by=None, **extra):
    body = {
        "actor": salon.actor.id,
        "service": salon.service.id,
        "customer": salon.customer.id,
        "start": start,
        "recurrence": recurrence,
        **extra,
    }
    return api.as_user(by or salon.manager).post(URL, body, format="json")


def starts_of(response) -> list[str]:
    return [item["start"] for item in response.json()["appointments"]]


def stored_starts(series_id: int) -> list[str]:
    series = AppointmentSeries.objects.get(pk=series_id)
    tz = series.company.tzinfo
    return [
        start.astimezone(tz).isoformat()
        for start in series.appointments.order_by("start").values_list(
            "start", flat=True
        )
    ]


# Expansion: exact lists of starts, in the company's offset.


def test_series_create_weekly_monday_and_wednesday_count_10(api, salon):
    recurrence = {"frequency": "weekly", "weekdays": [0, 2], "count": 10}

    response = book_series(api, salon, "2027-01-04T10:00", recurrence)

    assert response.status_code == 201
    expected = [
        "2027-01-04T10:00:00-03:00",
        "2027-01-06T10:00:00-03:00",
        "2027-01-11T10:00:00-03:00",
        "2027-01-13T10:00:00-03:00",
        "2027-01-18T10:00:00-03:00",
        "2027-01-20T10:00:00-03:00",
        "2027-01-25T10:00:00-03:00",
        "2027-01-27T10:00:00-03:00",
        "2027-02-01T10:00:00-03:00",
        "2027-02-03T10:00:00-03:00",
    ]
    assert starts_of(response) == expected
    assert stored_starts(response.json()["series"]) == expected
    assert response.json()["skipped"] == []


def test_series_create_monthly_day_31_skips_months_without_it(api, salon):
    recurrence = {"frequency": "monthly", "monthly_by": "day_of_month", "count": 6}

    response = book_series(api, salon, "2027-01-31T10:00", recurrence)

    assert response.status_code == 201
    assert starts_of(response) == [
        "2027-01-31T10:00:00-03:00",
        "2027-03-31T10:00:00-03:00",
        "2027-05-31T10:00:00-03:00",
        "2027-07-31T10:00:00-03:00",
        "2027-08-31T10:00:00-03:00",
        "2027-10-31T10:00:00-03:00",
    ]


def test_series_create_monthly_last_friday_for_twelve_months(api, salon):
    recurrence = {
        "frequency": "monthly",
        "monthly_by": "weekday_position",
        "weekdays": [4],
        "position": -1,
        "until": "2027-12-31",
    }

    response = book_series(api, salon, "2027-01-29T10:00", recurrence)

    assert response.status_code == 201
    assert starts_of(response) == [
        "2027-01-29T10:00:00-03:00",
        "2027-02-26T10:00:00-03:00",
        "2027-03-26T10:00:00-03:00",
        "2027-04-30T10:00:00-03:00",
        "2027-05-28T10:00:00-03:00",
        "2027-06-25T10:00:00-03:00",
        "2027-07-30T10:00:00-03:00",
        "2027-08-27T10:00:00-03:00",
        "2027-09-24T10:00:00-03:00",
        "2027-10-29T10:00:00-03:00",
        "2027-11-26T10:00:00-03:00",
        "2027-12-31T10:00:00-03:00",
    ]


def test_series_create_monthly_last_day_from_31_january_2028(api, salon):
    recurrence = {"frequency": "monthly", "monthly_by": "last_day", "count": 6}

    response = book_series(api, salon, "2028-01-31T10:00", recurrence)

    assert response.status_code == 201
    assert starts_of(response) == [
        "2028-01-31T10:00:00-03:00",
        "2028-02-29T10:00:00-03:00",
        "2028-03-31T10:00:00-03:00",
        "2028-04-30T10:00:00-03:00",
        "2028-05-31T10:00:00-03:00",
        "2028-06-30T10:00:00-03:00",
    ]


def test_series_create_yearly_from_29_february_repeats_in_leap_years(api, salon):
    recurrence = {"frequency": "yearly", "count": 3}

    response = book_series(api, salon, "2028-02-29T10:00", recurrence)

    assert response.status_code == 201
    assert starts_of(response) == [
        "2028-02-29T10:00:00-03:00",
        "2032-02-29T10:00:00-03:00",
        "2036-02-29T10:00:00-03:00",
    ]


def test_series_create_rrule_until_in_utc_equal_to_a_start_includes_it(api, salon):
    # 10:00 in São Paulo (UTC-3) is 13:00 UTC.
    recurrence = {"rrule": "FREQ=DAILY;UNTIL=20270108T130000Z"}

    response = book_series(api, salon, "2027-01-04T10:00", recurrence)

    assert response.status_code == 201
    assert starts_of(response) == [
        "2027-01-04T10:00:00-03:00",
        "2027-01-05T10:00:00-03:00",
        "2027-01-06T10:00:00-03:00",
        "2027-01-07T10:00:00-03:00",
        "2027-01-08T10:00:00-03:00",
    ]
    assert AppointmentSeries.objects.get().rrule == "FREQ=DAILY;UNTIL=20270108T130000Z"


def test_series_create_rrule_until_one_second_earlier_excludes_it(api, salon):
    recurrence = {"rrule": "RRULE:FREQ=DAILY;UNTIL=20270108T125959Z"}

    response = book_series(api, salon, "2027-01-04T10:00", recurrence)

    assert response.status_code == 201
    assert starts_of(response) == [
        "2027-01-04T10:00:00-03:00",
        "2027-01-05T10:00:00-03:00",
        "2027-01-06T10:00:00-03:00",
        "2027-01-07T10:00:00-03:00",
    ]


def test_series_create_until_on_a_day_with_an_occurrence_includes_it(api, salon):
    # A Monday-and-Thursday rule until Thursday 14 January: the last
    # occurrence is 21:00 that day, late in the day the date names.
    recurrence = {"frequency": "weekly", "weekdays": [0, 3], "until": "2027-01-14"}

    response = book_series(api, salon, "2027-01-04T21:00", recurrence)

    assert response.status_code == 201
    assert starts_of(response) == [
        "2027-01-04T21:00:00-03:00",
        "2027-01-07T21:00:00-03:00",
        "2027-01-11T21:00:00-03:00",
        "2027-01-14T21:00:00-03:00",
    ]


def test_series_create_daily_keeps_local_time_across_new_york_dst(api, tenant_a):
    salon = make_salon(tenant_a, timezone="America/New_York")
    spring = {"frequency": "daily", "until": "2027-03-16"}
    autumn = {"frequency": "daily", "until": "2027-11-09"}

    with time_machine.travel(NOW, tick=False):
        spring_response = book_series(api, salon, "2027-03-12T10:00", spring)
        autumn_response = book_series(api, salon, "2027-11-05T10:00", autumn)

    assert spring_response.status_code == 201
    assert starts_of(spring_response) == [
        "2027-03-12T10:00:00-05:00",
        "2027-03-13T10:00:00-05:00",
        "2027-03-14T10:00:00-04:00",
        "2027-03-15T10:00:00-04:00",
        "2027-03-16T10:00:00-04:00",
    ]
    assert autumn_response.status_code == 201
    assert starts_of(autumn_response) == [
        "2027-11-05T10:00:00-04:00",
        "2027-11-06T10:00:00-04:00",
        "2027-11-07T10:00:00-05:00",
        "2027-11-08T10:00:00-05:00",
        "2027-11-09T10:00:00-05:00",
    ]


def test_series_create_interval_two_weeks(api, salon):
    recurrence = {"frequency": "weekly", "interval": 2, "count": 3}

    response = book_series(api, salon, "2027-01-05T09:30", recurrence)

    assert response.status_code == 201
    assert starts_of(response) == [
        "2027-01-05T09:30:00-03:00",
        "2027-01-19T09:30:00-03:00",
        "2027-02-02T09:30:00-03:00",
    ]


# Malformed and out-of-limit rules.


@pytest.mark.parametrize(
    "recurrence",
    [
        "weekly",
        ["weekly"],
        5,
        True,
        {},
        {"frequency": "fortnightly", "count": 3},
        {"frequency": "WEEKLY", "count": 3},
        {"frequency": ["weekly"], "count": 3},
        {"frequency": "weekly", "weekdays": [7], "count": 3},
        {"frequency": "weekly", "weekdays": [-1], "count": 3},
        {"frequency": "weekly", "weekdays": "MO", "count": 3},
        {"frequency": "weekly", "weekdays": ["0"], "count": 3},
        {"frequency": "weekly", "count": "10"},
        {"frequency": "weekly", "count": 2.5},
        {"frequency": "weekly", "count": 0},
        {"frequency": "weekly", "count": True},
        {"frequency": "daily", "interval": 0, "count": 3},
        {"frequency": "daily", "interval": "2", "count": 3},
        {"frequency": "weekly", "count": 3, "until": "2027-02-01"},
        {"frequency": "weekly"},
        {"frequency": "daily", "until": "2027-02-30"},
        {"frequency": "daily", "until": "next week"},
        {"frequency": "daily", "until": 20270201},
        {"frequency": "monthly", "monthly_by": "second", "count": 3},
        {"frequency": "daily", "monthly_by": "last_day", "count": 3},
        {"frequency": "daily", "count": 3, "colour": "blue"},
        {"count": 3},
        {"rrule": "FREQ=SOMETIMES"},
        {"rrule": "FREQ=SOMETIMES;COUNT=3"},
        {"rrule": ""},
        {"rrule": 5},
        {"rrule": None},
        {"rrule": "FREQ=DAILY;COUNT=3", "count": 3},
        {"rrule": "FREQ=HOURLY;COUNT=3"},
        {"rrule": "FREQ=DAILY;COUNT=3;BYHOUR=10"},
        {"rrule": "FREQ=DAILY;COUNT=3;UNTIL=20270201T000000Z"},
        {"rrule": "FREQ=DAILY;COUNT=-3"},
        {"rrule": "FREQ=MONTHLY;BYDAY=+6MO;COUNT=3"},
        {"rrule": "FREQ=DAILY;UNTIL=tomorrow"},
        {"rrule": "DTSTART:20270104T100000\nRRULE:FREQ=DAILY;COUNT=3"},
        {"rrule": "FREQ=DAILY;;COUNT=3"},
    ],
)
def test_series_create_malformed_rule_is_400_invalid_recurrence(api, salon, recurrence):
    response = book_series(api, salon, "2027-01-04T10:00", recurrence)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_recurrence"
    assert AppointmentSeries.objects.count() == 0
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    "recurrence",
    [
        {"frequency": "daily", "count": 201},
        {"frequency": "daily", "until": "2029-01-05"},
        {"rrule": "FREQ=DAILY;COUNT=201"},
        {"rrule": "FREQ=WEEKLY;UNTIL=20290106T000000Z"},
        {"rrule": "FREQ=DAILY"},
    ],
)
def test_series_create_too_long_is_400_recurrence_too_long(api, salon, recurrence):
    response = book_series(api, salon, "2027-01-04T10:00", recurrence)

    assert response.status_code == 400
    assert response.json()["code"] == "recurrence_too_long"
    assert AppointmentSeries.objects.count() == 0
    assert Appointment.objects.count() == 0


def test_series_create_at_the_limits_is_accepted(api, salon):
    # 200 occurrences; an until two years after the first start's day.
    by_count = {"frequency": "daily", "count": 200}
    by_until = {"frequency": "monthly", "until": "2029-01-04"}

    count_response = book_series(api, salon, "2027-01-04T07:00", by_count)
    until_response = book_series(api, salon, "2027-01-04T10:00", by_until)

    assert count_response.status_code == 201
    assert len(starts_of(count_response)) == 200
    assert starts_of(count_response)[-1] == "2027-07-22T07:00:00-03:00"
    assert until_response.status_code == 201
    assert len(starts_of(until_response)) == 25
    assert starts_of(until_response)[-1] == "2029-01-04T10:00:00-03:00"


@pytest.mark.parametrize(
    "recurrence",
    [
        {"frequency": "daily", "until": "2027-01-03"},
        {"rrule": "FREQ=DAILY;UNTIL=20270104T125959Z"},
        {"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1"},
    ],
)
def test_series_create_without_occurrences_is_400_recurrence_empty(
    api, salon, recurrence
):
    response = book_series(api, salon, "2027-01-04T10:00", recurrence)

    assert response.status_code == 400
    assert response.json()["code"] == "recurrence_empty"
    assert AppointmentSeries.objects.count() == 0


# Conflicts: all or nothing, unless skipped.


def existing_booking(api, salon: Salon, start: str) -> int:
    response = api.as_user(salon.manager).post(
        URL,
        {
            "actor": salon.actor.id,
            "service": salon.service.id,
            "customer": salon.customer.id,
            "start": start,
        },
        format="json",
    )
    assert response.status_code == 201
    return response.json()["id"]


def test_series_create_conflict_on_fifth_occurrence_creates_nothing(api, salon):
    existing_booking(api, salon, "2027-02-01T10:15")
    recurrence = {"frequency": "weekly", "count": 10}

    response = book_series(api, salon, "2027-01-04T10:00", recurrence)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "slot_unavailable"
    assert body["reason"] == "overlaps_appointment"
    assert body["conflicts"] == [
        {"start": "2027-02-01T10:00:00-03:00", "reason": "overlaps_appointment"}
    ]
    assert AppointmentSeries.objects.count() == 0
    assert Appointment.objects.count() == 1


def test_series_create_skip_conflicts_creates_nine_and_skips_one(api, salon):
    existing_booking(api, salon, "2027-02-01T10:15")
    recurrence = {"frequency": "weekly", "count": 10}

    response = book_series(
        api, salon, "2027-01-04T10:00", recurrence, skip_conflicts=True
    )

    assert response.status_code == 201
    body = response.json()
    assert body["skipped"] == [
        {"start": "2027-02-01T10:00:00-03:00", "reason": "overlaps_appointment"}
    ]
    assert starts_of(response) == [
        "2027-01-04T10:00:00-03:00",
        "2027-01-11T10:00:00-03:00",
        "2027-01-18T10:00:00-03:00",
        "2027-01-25T10:00:00-03:00",
        "2027-02-08T10:00:00-03:00",
        "2027-02-15T10:00:00-03:00",
        "2027-02-22T10:00:00-03:00",
        "2027-03-01T10:00:00-03:00",
        "2027-03-08T10:00:00-03:00",
    ]
    assert Appointment.objects.filter(series_id=body["series"]).count() == 9


def test_series_create_lists_every_conflict_with_its_reason(api, salon):
    existing_booking(api, salon, "2027-01-11T10:00")
    # On Saturdays this actor works 06:00 to 08:00 only.
    salon.actor.working_hours.filter(weekday=5).update(end_time=time(8))
    recurrence = {"frequency": "daily", "count": 8}

    response = book_series(api, salon, "2027-01-04T10:00", recurrence)

    assert response.status_code == 409
    assert response.json()["conflicts"] == [
        {"start": "2027-01-09T10:00:00-03:00", "reason": "outside_working_hours"},
        {"start": "2027-01-11T10:00:00-03:00", "reason": "overlaps_appointment"},
    ]
    assert response.json()["reason"] == "outside_working_hours"


def test_series_create_conflict_in_the_past_is_reported(api, salon):
    recurrence = {"frequency": "daily", "count": 3}

    response = book_series(api, salon, "2026-12-31T10:00", recurrence)

    assert response.status_code == 409
    assert response.json()["conflicts"] == [
        {"start": "2026-12-31T10:00:00-03:00", "reason": "in_past"}
    ]


def test_series_create_skip_conflicts_with_every_occurrence_taken_is_409(api, salon):
    existing_booking(api, salon, "2027-01-04T10:00")
    recurrence = {"frequency": "daily", "count": 1}

    response = book_series(
        api, salon, "2027-01-04T10:00", recurrence, skip_conflicts=True
    )

    assert response.status_code == 409
    assert response.json()["conflicts"] == [
        {"start": "2027-01-04T10:00:00-03:00", "reason": "overlaps_appointment"}
    ]
    assert AppointmentSeries.objects.count() == 0


def test_series_create_customer_is_held_to_the_booking_horizon(api, tenant_a, salon):
    # The company's horizon is 60 days: 2 March 2027 12:00 UTC.
    recurrence = {"frequency": "weekly", "count": 10}

    response = book_series(
        api,
        salon,
        "2027-01-04T10:00",
        recurrence,
        by=salon.customer,
        skip_conflicts=True,
    )

    assert response.status_code == 201
    assert response.json()["skipped"] == [
        {"start": "2027-03-08T10:00:00-03:00", "reason": "too_far"}
    ]
    assert len(starts_of(response)) == 9


# Per-occurrence price, approval and notifications.


def test_series_create_snapshots_the_price_on_every_occurrence(api, salon):
    offer = salon.actor.offers.get(service=salon.service)
    offer.price = Decimal("45.50")
    offer.save(update_fields=["price"])
    recurrence = {"frequency": "weekly", "count": 3}

    response = book_series(api, salon, "2027-01-04T10:00", recurrence)
    offer.price = Decimal("80.00")
    offer.save(update_fields=["price"])
    series_id = response.json()["series"]

    assert response.status_code == 201
    assert [item["price"] for item in response.json()["appointments"]] == [
        {"base": "45.50", "discounts": [], "final": "45.50", "currency": "BRL"}
    ] * 3
    assert (
        list(
            Appointment.objects.filter(series_id=series_id).values_list(
                "price_final", flat=True
            )
        )
        == [Decimal("45.50")] * 3
    )


def test_series_create_by_customer_with_approval_leaves_every_one_pending(api, salon):
    salon.service.requires_approval = True
    salon.service.save(update_fields=["requires_approval"])
    recurrence = {"frequency": "weekly", "count": 4}

    response = book_series(
        api, salon, "2027-01-04T10:00", recurrence, by=salon.customer
    )

    assert response.status_code == 201
    assert [item["status"] for item in response.json()["appointments"]] == [
        "pending"
    ] * 4
    assert [item["customer"] for item in response.json()["appointments"]] == [
        salon.customer.id
    ] * 4


def test_series_create_by_staff_on_service_with_approval_is_confirmed(api, salon):
    salon.service.requires_approval = True
    salon.service.save(update_fields=["requires_approval"])
    recurrence = {"frequency": "weekly", "count": 2}

    response = book_series(api, salon, "2027-01-04T10:00", recurrence)

    assert [item["status"] for item in response.json()["appointments"]] == [
        "confirmed",
        "confirmed",
    ]


def test_series_create_records_and_announces_every_occurrence(api, salon):
    events = []

    def receiver(sender, appointment, event, **kwargs):
        events.append((appointment.start.astimezone(UTC).isoformat(), event))

    appointment_changed.connect(receiver)
    try:
        response = book_series(
            api, salon, "2027-01-04T10:00", {"frequency": "daily", "count": 3}
        )
    finally:
        appointment_changed.disconnect(receiver)

    assert response.status_code == 201
    assert events == [
        ("2027-01-04T13:00:00+00:00", "created"),
        ("2027-01-05T13:00:00+00:00", "created"),
        ("2027-01-06T13:00:00+00:00", "created"),
    ]
    assert (
        AppointmentHistory.objects.filter(
            appointment__series_id=response.json()["series"], to_status="confirmed"
        ).count()
        == 3
    )


# The series endpoint and its operations.


def weekly_four(api, salon: Salon) -> dict:
    response = book_series(
        api, salon, "2027-01-04T10:00", {"frequency": "weekly", "count": 4}
    )
    assert response.status_code == 201
    return response.json()


def occurrences(api, user, series_id: int) -> list[tuple[str, str]]:
    response = api.as_user(user).get(f"{URL}series/{series_id}/")
    assert response.status_code == 200
    return [(item["start"], item["status"]) for item in response.json()["occurrences"]]


def test_series_retrieve_lists_occurrences_with_status(api, salon):
    created = weekly_four(api, salon)

    response = api.as_user(salon.customer).get(f"{URL}series/{created['series']}/")

    assert response.status_code == 200
    body = response.json()
    assert body["actor"] == salon.actor.id
    assert body["service"] == salon.service.id
    assert body["customer"] == salon.customer.id
    assert body["rrule"] == "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;COUNT=4"
    assert body["dtstart"] == "2027-01-04T10:00:00-03:00"
    assert [
        (item["id"], item["start"], item["end"], item["status"])
        for item in body["occurrences"]
    ] == [
        (item["id"], item["start"], item["end"], "confirmed")
        for item in created["appointments"]
    ]


def test_series_cancel_whole_series(api, salon):
    created = weekly_four(api, salon)

    response = api.as_user(salon.manager).post(
        f"{URL}series/{created['series']}/cancel/", {}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["cancelled"] == [
        item["id"] for item in created["appointments"]
    ]
    assert occurrences(api, salon.manager, created["series"]) == [
        ("2027-01-04T10:00:00-03:00", "cancelled"),
        ("2027-01-11T10:00:00-03:00", "cancelled"),
        ("2027-01-18T10:00:00-03:00", "cancelled"),
        ("2027-01-25T10:00:00-03:00", "cancelled"),
    ]


def test_series_cancel_this_and_following(api, salon):
    created = weekly_four(api, salon)

    response = api.as_user(salon.manager).post(
        f"{URL}series/{created['series']}/cancel/",
        {"from": "2027-01-18T10:00"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["cancelled"] == [
        item["id"] for item in created["appointments"][2:]
    ]
    assert occurrences(api, salon.manager, created["series"]) == [
        ("2027-01-04T10:00:00-03:00", "confirmed"),
        ("2027-01-11T10:00:00-03:00", "confirmed"),
        ("2027-01-18T10:00:00-03:00", "cancelled"),
        ("2027-01-25T10:00:00-03:00", "cancelled"),
    ]


def test_series_cancel_frees_the_slots_for_new_bookings(api, salon):
    created = weekly_four(api, salon)
    api.as_user(salon.manager).post(
        f"{URL}series/{created['series']}/cancel/", {}, format="json"
    )

    again = book_series(
        api, salon, "2027-01-04T10:00", {"frequency": "weekly", "count": 4}
    )

    assert again.status_code == 201
    assert again.json()["skipped"] == []


def test_series_cancel_with_malformed_from_is_400(api, salon):
    created = weekly_four(api, salon)

    response = api.as_user(salon.manager).post(
        f"{URL}series/{created['series']}/cancel/", {"from": "soon"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["from"]
    assert [
        status for _, status in occurrences(api, salon.manager, created["series"])
    ] == ["confirmed"] * 4


def test_series_cancel_one_occurrence_keeps_it_in_the_series(api, salon):
    created = weekly_four(api, salon)
    second = created["appointments"][1]["id"]

    response = api.as_user(salon.manager).post(
        f"{URL}{second}/cancel/", {"reason": "Holiday"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["series"] == created["series"]
    assert occurrences(api, salon.manager, created["series"]) == [
        ("2027-01-04T10:00:00-03:00", "confirmed"),
        ("2027-01-11T10:00:00-03:00", "cancelled"),
        ("2027-01-18T10:00:00-03:00", "confirmed"),
        ("2027-01-25T10:00:00-03:00", "confirmed"),
    ]


def test_series_reschedule_one_occurrence_keeps_it_in_the_series(api, salon):
    created = weekly_four(api, salon)
    third = created["appointments"][2]["id"]

    response = api.as_user(salon.manager).post(
        f"{URL}{third}/reschedule/", {"start": "2027-01-19T15:00"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["series"] == created["series"]
    assert occurrences(api, salon.manager, created["series"]) == [
        ("2027-01-04T10:00:00-03:00", "confirmed"),
        ("2027-01-11T10:00:00-03:00", "confirmed"),
        ("2027-01-19T15:00:00-03:00", "confirmed"),
        ("2027-01-25T10:00:00-03:00", "confirmed"),
    ]


def test_series_cancel_following_after_a_rescheduled_occurrence(api, salon):
    created = weekly_four(api, salon)
    second = created["appointments"][1]["id"]
    api.as_user(salon.manager).post(
        f"{URL}{second}/reschedule/", {"start": "2027-01-20T15:00"}, format="json"
    )

    response = api.as_user(salon.manager).post(
        f"{URL}series/{created['series']}/cancel/",
        {"from": "2027-01-18T10:00"},
        format="json",
    )

    assert response.status_code == 200
    assert occurrences(api, salon.manager, created["series"]) == [
        ("2027-01-04T10:00:00-03:00", "confirmed"),
        ("2027-01-18T10:00:00-03:00", "cancelled"),
        ("2027-01-20T15:00:00-03:00", "cancelled"),
        ("2027-01-25T10:00:00-03:00", "cancelled"),
    ]


def test_series_cancel_by_customer_inside_notice_keeps_that_occurrence(
    api, salon, clock
):
    created = weekly_four(api, salon)
    # One hour before the first start: inside the 120-minute notice.
    clock.move_to("2027-01-04 12:00:00+00:00")

    response = api.as_user(salon.customer).post(
        f"{URL}series/{created['series']}/cancel/", {}, format="json"
    )

    assert response.status_code == 200
    assert occurrences(api, salon.customer, created["series"]) == [
        ("2027-01-04T10:00:00-03:00", "confirmed"),
        ("2027-01-11T10:00:00-03:00", "cancelled"),
        ("2027-01-18T10:00:00-03:00", "cancelled"),
        ("2027-01-25T10:00:00-03:00", "cancelled"),
    ]


# Access: the feature flag, roles and tenancy.


def test_series_create_with_flag_off_is_403_feature_disabled(api, salon):
    Flag.objects.create(name="recurring_appointments", everyone=False)

    response = book_series(
        api, salon, "2027-01-04T10:00", {"frequency": "weekly", "count": 4}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "feature_disabled"
    assert Appointment.objects.count() == 0
    assert AppointmentSeries.objects.count() == 0


def test_series_create_with_flag_off_still_books_single_appointments(api, salon):
    Flag.objects.create(name="recurring_appointments", everyone=False)

    response = book_series(api, salon, "2027-01-04T10:00", None)

    assert response.status_code == 201
    assert response.json()["series"] is None


def test_series_of_another_company_is_404(api, salon, tenant_b):
    created = weekly_four(api, salon)
    url = f"{URL}series/{created['series']}/"

    retrieve = api.as_user(tenant_b.manager).get(url)
    cancel = api.as_user(tenant_b.manager).post(f"{url}cancel/", {}, format="json")

    assert retrieve.status_code == 404
    assert cancel.status_code == 404
    assert occurrences(api, salon.manager, created["series"])[0][1] == "confirmed"


def test_series_of_another_customer_is_404(api, salon, tenant_a):
    created = weekly_four(api, salon)
    url = f"{URL}series/{created['series']}/"

    retrieve = api.as_user(tenant_a.other_customer).get(url)
    cancel = api.as_user(tenant_a.other_customer).post(
        f"{url}cancel/", {}, format="json"
    )

    assert retrieve.status_code == 404
    assert cancel.status_code == 404


def test_series_create_on_another_companys_actor_is_404(api, salon, tenant_b):
    response = book_series(
        api,
        salon,
        "2027-01-04T10:00",
        {"frequency": "weekly", "count": 4},
        by=tenant_b.manager,
    )

    assert response.status_code == 404
    assert AppointmentSeries.objects.count() == 0


def test_series_create_for_another_customer_by_customer_is_403(api, salon, tenant_a):
    response = api.as_user(tenant_a.other_customer).post(
        URL,
        {
            "actor": salon.actor.id,
            "service": salon.service.id,
            "customer": salon.customer.id,
            "start": "2027-01-04T10:00",
            "recurrence": {"frequency": "weekly", "count": 2},
        },
        format="json",
    )

    assert response.status_code == 403
    assert AppointmentSeries.objects.count() == 0


def test_series_create_is_idempotent_with_the_same_key(api, salon):
    body = {
        "actor": salon.actor.id,
        "service": salon.service.id,
        "customer": salon.customer.id,
        "start": "2027-01-04T10:00",
        "recurrence": {"frequency": "weekly", "count": 3},
    }
    client = api.as_user(salon.manager)

    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="series-1")
    second = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="series-1")

    assert first.status_code == 201
    assert second.status_code == 201
    assert second.json() == first.json()
    assert AppointmentSeries.objects.count() == 1
    assert Appointment.objects.count() == 3


def test_series_create_by_actor_for_a_customer(api, salon, tenant_a):
    response = book_series(
        api,
        salon,
        "2027-01-04T10:00",
        {"frequency": "daily", "count": 2},
        by=tenant_a.actor_user,
    )

    assert response.status_code == 201
    assert [item["created_by"] for item in response.json()["appointments"]] == [
        tenant_a.actor_user.id
    ] * 2


def test_series_create_in_a_company_with_another_zone(api, db):
    company = CompanyFactory(timezone="Asia/Tokyo", min_notice_minutes=0)
    manager = member(company, "manager")
    actor = actor_of(member(company, "actor"), company)
    customer = member(company, "customer")
    service = ServiceFactory(company=company, duration_minutes=60)
    ActorServiceFactory(actor=actor, service=service)
    full_week(actor, start=time(6), end=time(22))
    salon = Salon(actor=actor, service=service, manager=manager, customer=customer)

    with time_machine.travel(NOW, tick=False):
        response = book_series(
            api,
            salon,
            "2027-01-04T01:00:00Z",
            {"frequency": "weekly", "weekdays": [0, 4], "count": 3},
        )

    assert response.status_code == 201
    assert starts_of(response) == [
        "2027-01-04T10:00:00+09:00",
        "2027-01-08T10:00:00+09:00",
        "2027-01-11T10:00:00+09:00",
    ]
