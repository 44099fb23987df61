"""Free slots through the API: night shifts, buffers, DST, the company zone."""

from datetime import UTC, datetime

import pytest
import time_machine

from apps.appointments.models import Appointment, WorkingHours
from apps.core.tests.factories import ServiceFactory

from ..support import (
    APPOINTMENTS,
    AVAILABILITY,
    EN,
    TUESDAY,
    at,
    set_timezone,
    snapshot,
)

WORKING_HOURS = "/api/appointments/working-hours/"


def slots(api, user, shop, date_from, date_to=None, *, service=None, actor=True):
    params = {"service": (service or shop.service).id, "date_from": date_from}
    if date_to:
        params["date_to"] = date_to
    if actor:
        params["actor"] = shop.actor.id
    response = api.as_user(user).get(AVAILABILITY, params)
    assert response.status_code == 200, response.json()
    return response.json()


def starts(body) -> list[str]:
    return [slot["start"] for slot in body["slots"]]


def post(api, user, shop, start, service=None):
    return api.as_user(user).post(
        APPOINTMENTS,
        {
            "actor": shop.actor.id,
            "service": (service or shop.service).id,
            "start": start,
        },
        format="json",
        **EN,
    )


def replace_hours(api, shop, *ranges):
    """Drop the shop's hours and add `ranges` (weekday, start, end) by the API."""
    WorkingHours.objects.filter(actor=shop.actor).delete()
    for weekday, start, end in ranges:
        response = api.as_user(shop.tenant.manager).post(
            WORKING_HOURS,
            {
                "actor": shop.actor.id,
                "weekday": weekday,
                "start_time": start,
                "end_time": end,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()


def test_availability_answer_for_one_actor(api, shop_a, frozen):
    shop_a.company.slot_interval_minutes = 60
    shop_a.company.save()

    body = slots(api, shop_a.tenant.customer, shop_a, "2027-01-05")

    assert body == {
        "timezone": "America/Sao_Paulo",
        "service": shop_a.service.id,
        "actor": shop_a.actor.id,
        "date_from": "2027-01-05",
        "date_to": "2027-01-05",
        "slots": [
            {
                "start": f"2027-01-05T{hour:02d}:00:00-03:00",
                "end": f"2027-01-05T{hour + 1:02d}:00:00-03:00",
            }
            for hour in range(9, 18)
        ],
    }


def test_availability_defaults_to_today_in_company_zone(api, shop_a, frozen):
    # 08:00 in São Paulo is already 20:00 in Tokyo; today there is Monday.
    set_timezone(shop_a, "Asia/Tokyo")
    with time_machine.travel(datetime(2027, 1, 4, 16, 0, tzinfo=UTC), tick=False):
        body = slots(api, shop_a.tenant.customer, shop_a, "")

    assert (body["date_from"], body["date_to"]) == ("2027-01-05", "2027-01-05")
    assert body["timezone"] == "Asia/Tokyo"
    assert starts(body)[0] == "2027-01-05T09:00:00+09:00"


def test_availability_night_shift_offers_slots_past_midnight(api, shop_a, frozen):
    shop_a.company.slot_interval_minutes = 30
    shop_a.company.save()
    replace_hours(api, shop_a, (0, "22:30", "01:30"))

    body = slots(api, shop_a.tenant.customer, shop_a, "2027-01-04", "2027-01-05")

    assert starts(body) == [
        "2027-01-04T22:30:00-03:00",
        "2027-01-04T23:00:00-03:00",
        "2027-01-04T23:30:00-03:00",
        "2027-01-05T00:00:00-03:00",
        "2027-01-05T00:30:00-03:00",
    ]
    assert body["slots"][-1]["end"] == "2027-01-05T01:30:00-03:00"


def test_availability_night_shift_in_any_actor_answer(api, shop_a, frozen):
    shop_a.company.slot_interval_minutes = 30
    shop_a.company.save()
    replace_hours(api, shop_a, (0, "22:30", "01:30"))

    body = slots(
        api, shop_a.tenant.customer, shop_a, "2027-01-04", "2027-01-05", actor=False
    )

    assert [entry["actor"] for entry in body["actors"]] == [shop_a.actor.id]
    assert [slot["start"][11:16] for slot in body["actors"][0]["slots"]] == [
        "22:30",
        "23:00",
        "23:30",
        "00:00",
        "00:30",
    ]


def test_booking_night_shift_past_midnight(api, shop_a, frozen):
    shop_a.company.slot_interval_minutes = 30
    shop_a.company.save()
    replace_hours(api, shop_a, (0, "22:30", "01:30"))
    customer = shop_a.tenant.customer

    last = post(api, customer, shop_a, "2027-01-05T00:30")
    too_late = post(api, shop_a.tenant.other_customer, shop_a, "2027-01-05T01:00")

    assert last.status_code == 201
    assert (last.json()["start"], last.json()["end"]) == (
        "2027-01-05T00:30:00-03:00",
        "2027-01-05T01:30:00-03:00",
    )
    assert too_late.status_code == 409
    assert too_late.json() == {
        "code": "slot_unavailable",
        "detail": "The time is outside the actor's working hours.",
        "reason": "outside_working_hours",
    }


# Buffers: a 30-minute service with an hour before and after; one booked at
# 12:00-12:30 occupies 11:00-13:30.


@pytest.fixture
def buffered(shop_a):
    shop_a.company.slot_interval_minutes = 30
    shop_a.company.save()
    service = ServiceFactory(
        company=shop_a.company,
        name="Colour",
        duration_minutes=30,
        buffer_before_minutes=60,
        buffer_after_minutes=60,
    )
    shop_a.actor.offers.create(company=shop_a.company, service=service)
    return service


def test_availability_buffers_refuse_starts_around_booked_time(
    api, shop_a, buffered, frozen
):
    taken = post(
        api, shop_a.tenant.other_customer, shop_a, "2027-01-05T12:00", buffered
    )

    body = slots(api, shop_a.tenant.customer, shop_a, "2027-01-05", service=buffered)

    assert taken.status_code == 201
    assert [start[11:16] for start in starts(body)] == [
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


@pytest.mark.parametrize(
    "start",
    ["10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "13:00", "13:30", "14:00"],
)
def test_booking_buffers_refuse_direct_post_around_booked_time(
    api, shop_a, buffered, frozen, start
):
    post(api, shop_a.tenant.other_customer, shop_a, "2027-01-05T12:00", buffered)
    before = snapshot()

    response = post(
        api, shop_a.tenant.customer, shop_a, f"2027-01-05T{start}", buffered
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "slot_unavailable",
        "detail": "The time overlaps another appointment.",
        "reason": "overlaps_appointment",
    }
    assert snapshot() == before


def test_booking_buffers_accept_starts_touching_occupied_time(
    api, shop_a, buffered, frozen
):
    post(api, shop_a.tenant.other_customer, shop_a, "2027-01-05T12:00", buffered)

    early = post(api, shop_a.tenant.customer, shop_a, "2027-01-05T09:30", buffered)
    late = post(api, shop_a.tenant.customer, shop_a, "2027-01-05T14:30", buffered)

    assert (early.status_code, late.status_code) == (201, 201)
    assert list(
        Appointment.objects.order_by("start").values_list(
            "occupied_start", "occupied_end"
        )
    ) == [
        (at(TUESDAY, 8, 30), at(TUESDAY, 11)),
        (at(TUESDAY, 11), at(TUESDAY, 13, 30)),
        (at(TUESDAY, 13, 30), at(TUESDAY, 16)),
    ]


def test_availability_blocks_and_min_notice(api, shop_a, frozen):
    shop_a.company.slot_interval_minutes = 60
    shop_a.company.min_notice_minutes = 120
    shop_a.company.save()
    api.as_user(shop_a.tenant.actor_user).post(
        "/api/appointments/time-blocks/",
        {
            "actor": shop_a.actor.id,
            "start": "2027-01-04T12:00",
            "end": "2027-01-04T14:00",
            "reason": "Lunch",
        },
        format="json",
    )

    body = slots(api, shop_a.tenant.customer, shop_a, "2027-01-04")

    # NOW is 08:00: notice pushes the first start to 10:00; lunch takes two.
    assert [start[11:16] for start in starts(body)] == [
        "10:00",
        "11:00",
        "14:00",
        "15:00",
        "16:00",
        "17:00",
    ]


# DST in New York: 2027-03-14 02:00 jumps to 03:00, 2027-11-07 02:00 falls
# back to 01:00.


@pytest.fixture
def new_york(api, shop_a):
    set_timezone(shop_a, "America/New_York")
    shop_a.company.slot_interval_minutes = 30
    shop_a.company.save()
    shop_a.service.duration_minutes = 30
    shop_a.service.save()
    return shop_a


def test_availability_spring_forward_skips_missing_hour(api, new_york):
    shop = new_york
    with time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False):
        replace_hours(api, shop, (6, "01:00", "04:00"))
        body = slots(api, shop.tenant.customer, shop, "2027-03-14")

    assert body["slots"] == [
        {"start": "2027-03-14T01:00:00-05:00", "end": "2027-03-14T01:30:00-05:00"},
        {"start": "2027-03-14T01:30:00-05:00", "end": "2027-03-14T03:00:00-04:00"},
        {"start": "2027-03-14T03:00:00-04:00", "end": "2027-03-14T03:30:00-04:00"},
        {"start": "2027-03-14T03:30:00-04:00", "end": "2027-03-14T04:00:00-04:00"},
    ]


def test_availability_fall_back_offers_repeated_hour_once(api, new_york):
    shop = new_york
    with time_machine.travel(datetime(2027, 11, 3, 12, tzinfo=UTC), tick=False):
        replace_hours(api, shop, (6, "00:00", "03:00"))
        body = slots(api, shop.tenant.customer, shop, "2027-11-07")

    assert body["slots"] == [
        {"start": "2027-11-07T00:00:00-04:00", "end": "2027-11-07T00:30:00-04:00"},
        {"start": "2027-11-07T00:30:00-04:00", "end": "2027-11-07T01:00:00-04:00"},
        {"start": "2027-11-07T01:00:00-04:00", "end": "2027-11-07T01:30:00-04:00"},
        {"start": "2027-11-07T01:30:00-04:00", "end": "2027-11-07T01:00:00-05:00"},
        {"start": "2027-11-07T02:00:00-05:00", "end": "2027-11-07T02:30:00-05:00"},
        {"start": "2027-11-07T02:30:00-05:00", "end": "2027-11-07T03:00:00-05:00"},
    ]


@pytest.mark.parametrize(
    ("now", "days", "offsets"),
    [
        (
            datetime(2027, 3, 10, 12, tzinfo=UTC),
            ["2027-03-12", "2027-03-13", "2027-03-14", "2027-03-15"],
            ["-05:00", "-05:00", "-04:00", "-04:00"],
        ),
        (
            datetime(2027, 11, 3, 12, tzinfo=UTC),
            ["2027-11-05", "2027-11-06", "2027-11-07", "2027-11-08"],
            ["-04:00", "-04:00", "-05:00", "-05:00"],
        ),
    ],
)
def test_availability_keeps_wall_clock_hours_across_dst(
    api, new_york, now, days, offsets
):
    shop = new_york
    with time_machine.travel(now, tick=False):
        body = slots(api, shop.tenant.customer, shop, days[0], days[-1])

    expected = [
        f"{day}T{hour:02d}:{minute:02d}:00{offset}"
        for day, offset in zip(days, offsets, strict=True)
        for hour in range(9, 18)
        for minute in (0, 30)
    ]
    assert starts(body) == expected


def test_booking_across_spring_forward_through_api(api, new_york):
    shop = new_york
    with time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False):
        replace_hours(api, shop, (6, "01:00", "04:00"))
        across = post(api, shop.tenant.customer, shop, "2027-03-14T01:30")
        after = post(api, shop.tenant.customer, shop, "2027-03-14T03:00")
        body = slots(api, shop.tenant.customer, shop, "2027-03-14")

    assert (across.json()["start"], across.json()["end"]) == (
        "2027-03-14T01:30:00-05:00",
        "2027-03-14T03:00:00-04:00",
    )
    assert after.json()["start"] == "2027-03-14T03:00:00-04:00"
    assert starts(body) == [
        "2027-03-14T01:00:00-05:00",
        "2027-03-14T03:30:00-04:00",
    ]


def test_booking_in_repeated_hour_through_api(api, new_york):
    shop = new_york
    with time_machine.travel(datetime(2027, 11, 3, 12, tzinfo=UTC), tick=False):
        replace_hours(api, shop, (6, "00:00", "03:00"))
        first_pass = post(api, shop.tenant.customer, shop, "2027-11-07T01:30")
        body = slots(api, shop.tenant.customer, shop, "2027-11-07")

    assert first_pass.status_code == 201
    assert (first_pass.json()["start"], first_pass.json()["end"]) == (
        "2027-11-07T01:30:00-04:00",
        "2027-11-07T01:00:00-05:00",
    )
    assert Appointment.objects.get().start == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)
    assert [start[11:25] for start in starts(body)] == [
        "00:00:00-04:00",
        "00:30:00-04:00",
        "01:00:00-04:00",
        "02:00:00-05:00",
        "02:30:00-05:00",
    ]


def test_reschedule_into_repeated_hour_keeps_real_duration(api, new_york):
    shop = new_york
    with time_machine.travel(datetime(2027, 11, 3, 12, tzinfo=UTC), tick=False):
        replace_hours(api, shop, (6, "00:00", "03:00"))
        appointment_id = post(
            api, shop.tenant.customer, shop, "2027-11-07T00:00"
        ).json()["id"]
        moved = api.as_user(shop.tenant.manager).post(
            f"{APPOINTMENTS}{appointment_id}/reschedule/", {"start": "2027-11-07T01:30"}
        )

    assert (moved.json()["start"], moved.json()["end"]) == (
        "2027-11-07T01:30:00-04:00",
        "2027-11-07T01:00:00-05:00",
    )
    appointment = Appointment.objects.get()
    assert (appointment.occupied_start, appointment.occupied_end) == (
        datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
        datetime(2027, 11, 7, 6, 0, tzinfo=UTC),
    )
