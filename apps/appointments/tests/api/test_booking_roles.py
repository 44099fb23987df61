"""Whose calendar each role books in, and for whom."""

import pytest

from apps.appointments.models import Appointment
from apps.notifications.models import Notification

from ..support import APPOINTMENTS, EN, TUESDAY, at, local, make_appointment, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def body(shop, actor, **fields) -> dict:
    return {
        "actor": actor.pk,
        "service": shop.service.pk,
        "start": local(TUESDAY, 10),
        "customer": shop.tenant.customer.pk,
        **fields,
    }


def test_actor_books_in_own_calendar(api, shop_a):
    response = api.as_user(shop_a.tenant.actor_user).post(
        APPOINTMENTS, body(shop_a, shop_a.actor), format="json", **EN
    )

    assert response.status_code == 201
    assert response.json()["actor"] == shop_a.actor.pk
    assert response.json()["customer"] == shop_a.tenant.customer.pk


def test_actor_cannot_book_in_another_actors_calendar(api, shop_a, second_actor):
    before = snapshot()

    response = api.as_user(shop_a.tenant.actor_user).post(
        APPOINTMENTS, body(shop_a, second_actor), format="json", **EN
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "Actors book only in their own calendar.",
    }
    assert snapshot() == before


def test_actor_cannot_book_a_series_in_another_actors_calendar(
    api, shop_a, second_actor
):
    before = snapshot()
    recurrence = {"frequency": "weekly", "interval": 1, "count": 3}

    response = api.as_user(shop_a.tenant.actor_user).post(
        APPOINTMENTS,
        body(shop_a, second_actor, recurrence=recurrence),
        format="json",
        **EN,
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Actors book only in their own calendar."
    assert snapshot() == before


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_managing_staff_book_in_any_actors_calendar(api, shop_a, second_actor, role):
    response = api.as_user(getattr(shop_a.tenant, role)).post(
        APPOINTMENTS, body(shop_a, second_actor), format="json", **EN
    )

    assert response.status_code == 201
    assert response.json()["actor"] == second_actor.pk


@pytest.mark.parametrize("role", ["admin", "manager", "actor_user"])
def test_staff_booking_must_name_the_customer(api, shop_a, role):
    before = snapshot()
    fields = body(shop_a, shop_a.actor)
    del fields["customer"]

    response = api.as_user(getattr(shop_a.tenant, role)).post(
        APPOINTMENTS, fields, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {"customer": ["Name the customer this appointment is for."]},
    }
    assert snapshot() == before


def test_customer_booking_without_customer_books_for_themself(api, shop_a):
    fields = body(shop_a, shop_a.actor)
    del fields["customer"]

    response = api.as_user(shop_a.tenant.customer).post(
        APPOINTMENTS, fields, format="json", **EN
    )

    assert response.status_code == 201
    assert response.json()["customer"] == shop_a.tenant.customer.pk


def test_booking_an_actor_who_takes_no_bookings_says_so(api, shop_a):
    shop_a.actor.is_bookable = False
    shop_a.actor.save(update_fields=["is_bookable"])
    before = snapshot()

    response = api.as_user(shop_a.tenant.admin).post(
        APPOINTMENTS, body(shop_a, shop_a.actor), format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "actor_not_bookable",
        "detail": "This actor does not take bookings.",
        "fields": {"actor": ["This actor does not take bookings."]},
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("start", local(TUESDAY, 11), "Times change only through reschedule."),
        (
            "status",
            "completed",
            "The status changes only through confirm, reject, cancel, complete "
            "and no_show.",
        ),
        ("customer", 1, "This field cannot be changed; only notes can."),
    ],
)
def test_appointment_patch_explains_each_field_it_refuses(
    api, shop_a, field, value, message
):
    appointment = make_appointment(shop_a, at(TUESDAY, 10))
    before = snapshot()

    response = api.as_user(shop_a.tenant.admin).patch(
        f"{APPOINTMENTS}{appointment.pk}/", {field: value}, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {field: [message]}
    assert snapshot() == before


def test_notification_data_carries_the_companys_offset(api, shop_a):
    api.as_user(shop_a.tenant.customer).post(
        APPOINTMENTS, body(shop_a, shop_a.actor), format="json", **EN
    )

    data = Notification.objects.filter(recipient=shop_a.tenant.customer).first().data

    assert (data["start"], data["end"]) == (
        "2027-01-05T10:00:00-03:00",
        "2027-01-05T11:00:00-03:00",
    )
    assert Appointment.objects.get().start == at(TUESDAY, 10)
