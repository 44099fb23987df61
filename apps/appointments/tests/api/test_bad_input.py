"""The issue's "Bad input": each answers in the error format, changes nothing."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apps.appointments.models import Appointment, AppointmentHistory
from apps.companies.models import Company
from apps.core.tests.factories import ServiceFactory

from ..support import APPOINTMENTS, AVAILABILITY, EN, TUESDAY, set_timezone, snapshot

WORKING_HOURS = "/api/appointments/working-hours/"
TIME_BLOCKS = "/api/appointments/time-blocks/"
INVALID_FIELDS = "Some fields are not valid."


def booking(shop, start="2027-01-05T10:00:00-03:00", **overrides) -> dict:
    body = {"actor": shop.actor.id, "service": shop.service.id, "start": start}
    body.update(overrides)
    return body


def test_working_hours_create_refuses_end_equal_to_start(api, shop_a, frozen):
    before = snapshot()

    response = api.as_user(shop_a.tenant.manager).post(
        WORKING_HOURS,
        {
            "actor": shop_a.actor.id,
            "weekday": 0,
            "start_time": "10:00",
            "end_time": "10:00",
        },
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": INVALID_FIELDS,
        "fields": {"end_time": ["The end time must differ from the start time."]},
    }
    assert snapshot() == before


def test_working_hours_whole_day_from_midnight_to_midnight(api, shop_a, frozen):
    shop_a.actor.working_hours.all().delete()

    created = api.as_user(shop_a.tenant.manager).post(
        WORKING_HOURS,
        {
            "actor": shop_a.actor.id,
            "weekday": TUESDAY.weekday(),
            "start_time": "00:00",
            "end_time": "00:00",
        },
        format="json",
        **EN,
    )
    slots = api.get(
        AVAILABILITY,
        {
            "actor": shop_a.actor.id,
            "service": shop_a.service.id,
            "date_from": TUESDAY.isoformat(),
        },
    ).json()["slots"]

    assert created.status_code == 201
    # A 60-minute service every 15 minutes from 00:00 to 23:00.
    assert (len(slots), slots[0]["start"], slots[-1]["end"]) == (
        93,
        "2027-01-05T00:00:00-03:00",
        "2027-01-06T00:00:00-03:00",
    )


def test_working_hours_create_refuses_overlapping_range(api, shop_a, frozen):
    before = snapshot()

    response = api.as_user(shop_a.tenant.manager).post(
        WORKING_HOURS,
        {
            "actor": shop_a.actor.id,
            "weekday": 0,
            "start_time": "17:00",
            "end_time": "20:00",
        },
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "overlapping_hours",
        "detail": "These hours overlap other working hours of the actor.",
        "fields": {
            "start_time": ["Overlaps 09:00-18:00 on the same or the previous day."]
        },
    }
    assert snapshot() == before


def test_working_hours_create_refuses_night_shift_running_into_next_day(
    api, shop_a, frozen
):
    before = snapshot()

    # Sunday 22:00 to Monday 10:00 runs into Monday's 09:00-18:00.
    response = api.as_user(shop_a.tenant.manager).post(
        WORKING_HOURS,
        {
            "actor": shop_a.actor.id,
            "weekday": 6,
            "start_time": "22:00",
            "end_time": "10:00",
        },
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "overlapping_hours"
    assert snapshot() == before


def test_working_hours_update_refuses_overlap_with_sibling_range(api, shop_a, frozen):
    afternoon = shop_a.actor.working_hours.get(weekday=0)
    afternoon.start_time = afternoon.start_time.replace(hour=14)
    afternoon.save()
    morning = shop_a.actor.working_hours.create(
        company=shop_a.company,
        weekday=0,
        start_time=afternoon.start_time.replace(hour=8),
        end_time=afternoon.start_time.replace(hour=12),
    )
    before = snapshot()

    response = api.as_user(shop_a.tenant.manager).patch(
        f"{WORKING_HOURS}{morning.id}/", {"end_time": "15:00"}, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "overlapping_hours",
        "detail": "These hours overlap other working hours of the actor.",
        "fields": {
            "start_time": ["Overlaps 14:00-18:00 on the same or the previous day."]
        },
    }
    assert snapshot() == before


def test_working_hours_create_refuses_weekday_out_of_range(api, shop_a, frozen):
    before = snapshot()

    response = api.as_user(shop_a.tenant.manager).post(
        WORKING_HOURS,
        {
            "actor": shop_a.actor.id,
            "weekday": 7,
            "start_time": "09:00",
            "end_time": "12:00",
        },
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": INVALID_FIELDS,
        "fields": {"weekday": ['"7" is not a valid choice.']},
    }
    assert snapshot() == before


def test_time_block_create_refuses_end_before_start(api, shop_a, frozen):
    before = snapshot()

    response = api.as_user(shop_a.tenant.manager).post(
        TIME_BLOCKS,
        {
            "actor": shop_a.actor.id,
            "start": "2027-01-05T12:00:00-03:00",
            "end": "2027-01-05T11:00:00-03:00",
            "reason": "Dentist",
        },
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": INVALID_FIELDS,
        "fields": {"end": ["The end must be after the start."]},
    }
    assert snapshot() == before


def test_time_block_update_refuses_end_before_start(api, shop_a, frozen):
    block = shop_a.actor.time_blocks.create(
        company=shop_a.company,
        start=datetime(2027, 1, 5, 15, 0, tzinfo=UTC),
        end=datetime(2027, 1, 5, 16, 0, tzinfo=UTC),
        reason="Dentist",
    )
    before = snapshot()

    response = api.as_user(shop_a.tenant.manager).patch(
        f"{TIME_BLOCKS}{block.id}/",
        {"end": "2027-01-05T11:00:00-03:00"},
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"end": ["The end must be after the start."]}
    assert snapshot() == before


def test_appointment_create_refuses_service_the_actor_does_not_offer(
    api, shop_a, frozen
):
    other = ServiceFactory(company=shop_a.company, name="Shave", duration_minutes=30)
    before = snapshot()

    response = api.as_user(shop_a.tenant.customer).post(
        APPOINTMENTS, booking(shop_a, service=other.id), format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "service_not_offered",
        "detail": "This actor does not offer this service.",
        "fields": {"service": ["This actor does not offer this service."]},
    }
    assert snapshot() == before


def test_appointment_create_refuses_inactive_offer(api, shop_a, frozen):
    shop_a.offer.is_active = False
    shop_a.offer.save()
    before = snapshot()

    response = api.as_user(shop_a.tenant.customer).post(
        APPOINTMENTS, booking(shop_a), format="json", **EN
    )

    assert response.status_code == 400
    assert response.json()["code"] == "service_not_offered"
    assert snapshot() == before


def test_availability_refuses_service_the_actor_does_not_offer(api, shop_a, frozen):
    other = ServiceFactory(company=shop_a.company, name="Shave", duration_minutes=30)

    response = api.as_user(shop_a.tenant.customer).get(
        AVAILABILITY,
        {"service": other.id, "actor": shop_a.actor.id, "date_from": "2027-01-05"},
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "service_not_offered",
        "detail": "This actor does not offer this service.",
        "fields": {"service": ["This actor does not offer this service."]},
    }


def test_appointment_create_answers_404_for_actor_of_another_company(
    api, shop_a, shop_b, frozen
):
    before = snapshot()

    response = api.as_user(shop_a.tenant.customer).post(
        APPOINTMENTS, booking(shop_a, actor=shop_b.actor.id), format="json", **EN
    )

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Actor not found."}
    assert snapshot() == before


def test_appointment_create_answers_404_for_service_of_another_company(
    api, shop_a, shop_b, frozen
):
    before = snapshot()

    response = api.as_user(shop_a.tenant.customer).post(
        APPOINTMENTS, booking(shop_a, service=shop_b.service.id), format="json", **EN
    )

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Service not found."}
    assert snapshot() == before


def test_availability_refuses_range_over_62_days(api, shop_a, frozen):
    response = api.as_user(shop_a.tenant.customer).get(
        AVAILABILITY,
        {
            "service": shop_a.service.id,
            "actor": shop_a.actor.id,
            "date_from": "2027-01-05",
            "date_to": "2027-03-08",
        },
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": INVALID_FIELDS,
        "fields": {"date_to": ["The range may span at most 62 days."]},
    }


def test_availability_accepts_range_of_exactly_62_days(api, shop_a, frozen):
    response = api.as_user(shop_a.tenant.customer).get(
        AVAILABILITY,
        {
            "service": shop_a.service.id,
            "actor": shop_a.actor.id,
            "date_from": "2027-01-05",
            "date_to": "2027-03-07",
        },
    )

    assert response.status_code == 200
    assert response.json()["date_to"] == "2027-03-07"


def test_availability_refuses_reversed_range(api, shop_a, frozen):
    response = api.as_user(shop_a.tenant.customer).get(
        AVAILABILITY,
        {
            "service": shop_a.service.id,
            "actor": shop_a.actor.id,
            "date_from": "2027-01-06",
            "date_to": "2027-01-05",
        },
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": INVALID_FIELDS,
        "fields": {"date_to": ["The end date is before the start date."]},
    }


def test_availability_refuses_malformed_date(api, shop_a, frozen):
    response = api.as_user(shop_a.tenant.customer).get(
        AVAILABILITY,
        {"service": shop_a.service.id, "date_from": "05/01/2027"},
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": INVALID_FIELDS,
        "fields": {"date_from": ["Use the format YYYY-MM-DD."]},
    }


def test_appointment_create_refuses_start_in_the_past(api, shop_a, frozen):
    before = snapshot()

    response = api.as_user(shop_a.tenant.customer).post(
        APPOINTMENTS,
        booking(shop_a, start="2027-01-04T07:00:00-03:00"),
        format="json",
        **EN,
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "slot_unavailable",
        "detail": "The start is in the past.",
        "reason": "in_past",
    }
    assert snapshot() == before


def test_appointment_create_refuses_past_start_for_staff_too(api, shop_a, frozen):
    before = snapshot()

    response = api.as_user(shop_a.tenant.manager).post(
        APPOINTMENTS,
        booking(
            shop_a,
            start="2027-01-01T10:00:00-03:00",
            customer=shop_a.tenant.customer.id,
        ),
        format="json",
        **EN,
    )

    assert response.status_code == 409
    assert response.json()["reason"] == "in_past"
    assert snapshot() == before


def test_appointment_create_refuses_malformed_start(api, shop_a, frozen):
    before = snapshot()

    response = api.as_user(shop_a.tenant.customer).post(
        APPOINTMENTS, booking(shop_a, start="tomorrow at ten"), format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": INVALID_FIELDS,
        "fields": {"start": ["Use an ISO 8601 datetime, e.g. 2027-03-14T10:00."]},
    }
    assert snapshot() == before


def test_company_update_refuses_invalid_timezone_name(api, tenant_a, frozen):
    before = Company.objects.values().get(pk=tenant_a.company.pk)

    response = api.as_user(tenant_a.admin).patch(
        f"/api/companies/{tenant_a.company.id}/",
        {"timezone": "Mars/Olympus_Mons"},
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": INVALID_FIELDS,
        "fields": {
            "timezone": ["Mars/Olympus_Mons is not a valid IANA timezone name."]
        },
    }
    assert Company.objects.values().get(pk=tenant_a.company.pk) == before


def test_company_create_refuses_invalid_timezone_name(api, super_admin, frozen):
    response = api.as_user(super_admin).post(
        "/api/companies/",
        {"name": "Nowhere", "slug": "nowhere", "timezone": "America/Atlantis"},
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "timezone": ["America/Atlantis is not a valid IANA timezone name."]
    }
    assert not Company.objects.filter(slug="nowhere").exists()


def test_appointment_create_reads_datetime_without_offset_in_company_zone(
    api, shop_a, frozen
):
    # The server's zone is São Paulo; the company's is Tokyo (UTC+09:00).
    set_timezone(shop_a, "Asia/Tokyo")

    response = api.as_user(shop_a.tenant.customer).post(
        APPOINTMENTS, booking(shop_a, start="2027-01-05T10:00"), format="json"
    )

    assert response.status_code == 201
    assert response.json()["start"] == "2027-01-05T10:00:00+09:00"
    assert response.json()["end"] == "2027-01-05T11:00:00+09:00"
    appointment = Appointment.objects.get()
    assert appointment.start == datetime(2027, 1, 5, 1, 0, tzinfo=UTC)


def test_time_block_create_reads_datetime_without_offset_in_company_zone(
    api, shop_a, frozen
):
    set_timezone(shop_a, "America/New_York")

    response = api.as_user(shop_a.tenant.manager).post(
        TIME_BLOCKS,
        {
            "actor": shop_a.actor.id,
            "start": "2027-01-05T12:00",
            "end": "2027-01-05T13:30",
            "reason": "Lunch",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["start"] == "2027-01-05T12:00:00-05:00"
    block = shop_a.actor.time_blocks.get()
    assert (block.start, block.end) == (
        datetime(2027, 1, 5, 17, 0, tzinfo=UTC),
        datetime(2027, 1, 5, 18, 30, tzinfo=UTC),
    )


def test_reschedule_reads_datetime_without_offset_in_company_zone(api, shop_a, frozen):
    set_timezone(shop_a, "Europe/Lisbon")
    tz = ZoneInfo("Europe/Lisbon")
    appointment = shop_a.book(datetime(2027, 1, 5, 10, 0, tzinfo=tz))

    response = api.as_user(shop_a.tenant.manager).post(
        f"{APPOINTMENTS}{appointment.id}/reschedule/",
        {"start": "2027-01-05T15:00"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["start"] == "2027-01-05T15:00:00+00:00"
    appointment.refresh_from_db()
    assert appointment.start == datetime(2027, 1, 5, 15, 0, tzinfo=UTC)
    assert AppointmentHistory.objects.filter(appointment=appointment).count() == 2


def test_appointment_create_keeps_explicit_offset_over_company_zone(
    api, shop_a, frozen
):
    start = datetime.combine(TUESDAY, datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=13
    )

    response = api.as_user(shop_a.tenant.customer).post(
        APPOINTMENTS, booking(shop_a, start="2027-01-05T13:00:00Z"), format="json"
    )

    assert response.status_code == 201
    assert response.json()["start"] == "2027-01-05T10:00:00-03:00"
    assert Appointment.objects.get().start == start
