"""Input at the edges of what Python and the database hold answers 400.

Dates near the ends of the calendar, offsets no zone has, ids past 64 bits
and JSON nested past the recursion limit: each gets the error format and
changes nothing.
"""

import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.appointments.models import Appointment, TimeBlock
from apps.core.tests.factories import ActorServiceFactory, ServiceFactory, full_week

pytestmark = pytest.mark.django_db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2027, 3, 8, 8, 0, tzinfo=SAO_PAULO)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PT = {"HTTP_ACCEPT_LANGUAGE": "pt-br"}
HUGE_ID = "99999999999999999999999"
DATE_RANGE_EN = "Use a date between 1900-01-01 and 2999-12-31."
DATE_RANGE_PT = "Use uma data entre 1900-01-01 e 2999-12-31."
NOT_A_DATETIME_EN = "Use an ISO 8601 datetime, e.g. 2027-03-14T10:00."


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def service(tenant_a):
    service = ServiceFactory(company=tenant_a.company, duration_minutes=30)
    ActorServiceFactory(actor=tenant_a.actor, service=service)
    full_week(tenant_a.actor, time(9), time(18))
    return service


def invalid(field: str, message: str) -> dict:
    return {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {field: [message]},
    }


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("9999-12-31T23:59:59-03:00", DATE_RANGE_EN),
        ("0001-01-01T00:00:00+14:00", DATE_RANGE_EN),
        ("2027-03-09T11:00:00+99:00", NOT_A_DATETIME_EN),
    ],
)
def test_booking_start_at_the_calendar_edges_is_refused(
    api, tenant_a, service, start, message
):
    body = {
        "actor": tenant_a.actor.pk,
        "service": service.pk,
        "customer": tenant_a.customer.pk,
        "start": start,
    }

    response = api.as_user(tenant_a.admin).post(
        "/api/appointments/", body, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == invalid("start", message)
    assert Appointment.objects.count() == 0


def test_booking_start_on_the_last_supported_day_is_too_far(api, tenant_a, service):
    body = {
        "actor": tenant_a.actor.pk,
        "service": service.pk,
        "customer": tenant_a.customer.pk,
        "start": "2999-12-31T10:00:00",
    }

    response = api.as_user(tenant_a.customer).post(
        "/api/appointments/", body, format="json", **EN
    )

    assert response.status_code == 409
    assert response.json()["reason"] == "too_far"


def test_booking_start_out_of_range_is_explained_in_portuguese(api, tenant_a, service):
    body = {
        "actor": tenant_a.actor.pk,
        "service": service.pk,
        "customer": tenant_a.customer.pk,
        "start": "9999-12-31T23:59:59-03:00",
    }

    response = api.as_user(tenant_a.admin).post(
        "/api/appointments/", body, format="json", **PT
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"start": [DATE_RANGE_PT]}


def test_time_block_start_out_of_range_is_refused(api, tenant_a):
    body = {
        "actor": tenant_a.actor.pk,
        "start": "9999-12-31T20:00:00",
        "end": "9999-12-31T23:00:00",
    }

    response = api.as_user(tenant_a.admin).post(
        "/api/appointments/time-blocks/", body, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == invalid("start", DATE_RANGE_EN)
    assert TimeBlock.objects.count() == 0


def test_reschedule_out_of_range_is_refused(api, tenant_a, service):
    body = {
        "actor": tenant_a.actor.pk,
        "service": service.pk,
        "customer": tenant_a.customer.pk,
        "start": "2027-03-09T10:00",
    }
    created = api.as_user(tenant_a.admin).post(
        "/api/appointments/", body, format="json", **EN
    )
    url = f"/api/appointments/{created.json()['id']}/reschedule/"

    response = api.post(
        url, {"start": "0001-01-01T00:00:00+14:00"}, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == invalid("start", DATE_RANGE_EN)
    assert Appointment.objects.get().start == datetime(2027, 3, 9, 10, tzinfo=SAO_PAULO)


def test_recurrence_until_at_the_end_of_the_calendar_is_too_long(
    api, tenant_a, service
):
    body = {
        "actor": tenant_a.actor.pk,
        "service": service.pk,
        "customer": tenant_a.customer.pk,
        "start": "2027-03-09T10:00",
        "recurrence": {"frequency": "daily", "interval": 1, "until": "9999-12-31"},
    }

    response = api.as_user(tenant_a.admin).post(
        "/api/appointments/", body, format="json", **EN
    )

    assert response.status_code == 400
    message = "The recurrence ends too far in the future (at most two years ahead)."
    assert response.json() == {
        "code": "recurrence_too_long",
        "detail": message,
        "fields": {"recurrence": [message]},
    }
    assert Appointment.objects.count() == 0


def test_recurrence_rrule_until_at_the_end_of_the_calendar_is_too_long(
    api, tenant_a, service
):
    body = {
        "actor": tenant_a.actor.pk,
        "service": service.pk,
        "customer": tenant_a.customer.pk,
        "start": "2027-03-09T10:00",
        "recurrence": {"rrule": "FREQ=DAILY;UNTIL=99991231T235959"},
    }

    response = api.as_user(tenant_a.admin).post(
        "/api/appointments/", body, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json()["code"] == "recurrence_too_long"


def test_recurrence_without_count_or_until_says_so(api, tenant_a, service):
    body = {
        "actor": tenant_a.actor.pk,
        "service": service.pk,
        "customer": tenant_a.customer.pk,
        "start": "2027-03-09T10:00",
        "recurrence": {"frequency": "daily", "interval": 1},
    }

    response = api.as_user(tenant_a.admin).post(
        "/api/appointments/", body, format="json", **EN
    )

    assert response.status_code == 400
    message = "The recurrence never ends: give a count or an end date."
    assert response.json() == {
        "code": "invalid_recurrence",
        "detail": message,
        "fields": {"recurrence": [message]},
    }


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_availability_at_the_calendar_edges_is_refused(api, tenant_a, service, day):
    params = {
        "actor": tenant_a.actor.pk,
        "service": service.pk,
        "customer": tenant_a.customer.pk,
        "date_from": day,
        "date_to": day,
    }

    response = api.as_user(tenant_a.customer).get(
        "/api/appointments/availability/", params, **EN
    )

    assert response.status_code == 400
    assert response.json() == invalid("date_from", DATE_RANGE_EN)


def test_statistics_range_at_the_calendar_edge_is_refused(api, tenant_a):
    url = f"/api/companies/{tenant_a.company.pk}/statistics/"

    response = api.as_user(tenant_a.admin).get(
        url, {"date_from": "2027-03-01", "date_to": "9999-12-31"}, **EN
    )

    assert response.status_code == 400
    assert response.json() == invalid("date_to", DATE_RANGE_EN)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/appointments/", "actor"),
        ("/api/appointments/", "customer"),
        ("/api/appointments/", "service"),
        ("/api/appointments/", "company"),
        ("/api/appointments/services/", "company"),
        ("/api/appointments/actors/", "company"),
        ("/api/appointments/working-hours/", "actor"),
        ("/api/appointments/time-blocks/", "actor"),
        ("/api/appointments/actor-services/", "actor"),
    ],
)
def test_filter_id_past_64_bits_never_crashes(api, tenant_a, url, name):
    response = api.as_user(tenant_a.admin).get(url, {name: HUGE_ID}, **EN)

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["count"] == 0
    else:
        assert response.json()["code"] == "validation_error"
        assert list(response.json()["fields"]) == [name]


def test_availability_actor_past_64_bits_is_refused(api, tenant_a, service):
    params = {"actor": HUGE_ID, "service": service.pk}

    response = api.as_user(tenant_a.customer).get(
        "/api/appointments/availability/", params, **EN
    )

    assert response.status_code == 400
    assert response.json() == invalid("actor", "A valid actor id is required.")


def test_login_with_json_nested_past_the_recursion_limit_is_malformed(api):
    body = "[" * 5000 + "]" * 5000

    response = api.post(
        "/api/auth/users/login/", body, content_type="application/json", **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_request",
        "detail": "The request body is not valid JSON.",
    }


def test_booking_with_json_nested_past_the_recursion_limit_is_malformed(api, tenant_a):
    body = json.dumps({"actor": 1, "notes": "x"})[:-1] + ', "x": ' + "[" * 5000

    response = api.as_user(tenant_a.admin).post(
        "/api/appointments/",
        body + "]" * 5000 + "}",
        content_type="application/json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    "path", ["/api/nothing/", "/api/appointments/abc/", "/api/payments/"]
)
def test_unknown_api_path_answers_in_the_error_format(api, tenant_a, path):
    response = api.as_user(tenant_a.admin).get(path, **EN)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_unknown_api_path_answers_in_portuguese_even_to_a_post(api):
    response = api.post("/api/nothing/", {}, format="json", **PT)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Não encontrado."}


def test_api_root_lists_where_each_part_starts(api):
    response = api.get("/api/")

    assert response.status_code == 200
    assert response.json() == {
        "auth": "http://testserver/api/auth/users/me/",
        "companies": "http://testserver/api/companies/",
        "appointments": "http://testserver/api/appointments/",
        "notifications": "http://testserver/api/notifications/",
        "feature_flags": "http://testserver/api/feature-flags/flags/active/",
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
    }


def test_booking_with_an_id_past_64_bits_is_refused(api, tenant_a, service):
    body = {
        "actor": int(HUGE_ID),
        "service": service.pk,
        "customer": tenant_a.customer.pk,
        "start": "2027-03-09T10:00",
    }

    response = api.as_user(tenant_a.admin).post(
        "/api/appointments/", body, format="json", **EN
    )

    # No row has such an id: Django answers an out-of-range lookup with no
    # match rather than overflowing the driver.
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Actor not found."}
    assert Appointment.objects.count() == 0


def test_booking_with_a_coupon_code_is_refused_while_no_coupon_exists(
    api, tenant_a, service
):
    body = {
        "actor": tenant_a.actor.pk,
        "service": service.pk,
        "start": "2027-03-09T10:00",
        "coupon_code": "BOGUS",
    }

    response = api.as_user(tenant_a.customer).post(
        "/api/appointments/", body, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == invalid("coupon_code", "This coupon does not exist.")
    assert Appointment.objects.count() == 0


def test_booking_a_local_time_the_clocks_skip_is_refused(api, tenant_a, service):
    tenant_a.company.timezone = "America/New_York"
    tenant_a.company.save(update_fields=["timezone"])
    body = {
        "actor": tenant_a.actor.pk,
        "service": service.pk,
        "customer": tenant_a.customer.pk,
        "start": "2027-03-14T02:30:00",
    }

    response = api.as_user(tenant_a.admin).post(
        "/api/appointments/", body, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        "start",
        "This local time does not exist in America/New_York (the clocks skip "
        "it); give another time or an offset.",
    )
    assert Appointment.objects.count() == 0


def test_login_throttle_ignores_a_forwarded_for_header_by_default(api, tenant_a):
    body = {"email": "nobody@example.com", "password": "wrong"}
    statuses = [
        api.post(
            "/api/auth/users/login/",
            {**body, "email": f"nobody{n}@example.com"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        ).status_code
        for n in range(21)
    ]

    # Twenty failures from one connection's address, whatever it claims.
    assert statuses == [400] * 20 + [429]


def test_api_path_without_its_slash_is_redirected_to_it(api, tenant_a):
    response = api.as_user(tenant_a.admin).get("/api/companies?page=1")

    assert response.status_code == 301
    assert response["Location"] == "/api/companies/?page=1"


def test_unknown_api_path_without_a_slash_is_not_found(api, tenant_a):
    response = api.as_user(tenant_a.admin).get("/api/nothing", **EN)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}
