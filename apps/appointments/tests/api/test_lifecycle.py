"""An appointment's life through the API: requests, approval, history, price."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from apps.appointments.models import Appointment, AppointmentHistory, AppointmentStatus
from apps.core.tests.factories import ServiceFactory

from ..support import APPOINTMENTS, EN, TUESDAY, at, local


def book(api, user, shop, start="2027-01-05T10:00", **extra):
    body = {"actor": shop.actor.id, "service": shop.service.id, "start": start}
    body.update(extra)
    return api.as_user(user).post(APPOINTMENTS, body, format="json", **EN)


def history(api, user, appointment_id):
    response = api.as_user(user).get(f"{APPOINTMENTS}{appointment_id}/history/")
    assert response.status_code == 200
    return response.json()


def person(user) -> dict:
    return {"id": user.id, "name": user.name, "email": user.email}


def test_customer_request_is_pending_when_service_requires_approval(
    api, shop_a, frozen
):
    shop_a.service.requires_approval = True
    shop_a.service.save()

    response = book(api, shop_a.tenant.customer, shop_a)

    assert response.status_code == 201
    assert response.json()["status"] == AppointmentStatus.PENDING


def test_customer_request_is_pending_when_company_requires_approval(
    api, shop_a, frozen
):
    shop_a.company.requires_approval = True
    shop_a.company.save()
    shop_a.actor.refresh_from_db()

    response = book(api, shop_a.tenant.customer, shop_a)

    assert response.json()["status"] == AppointmentStatus.PENDING


def test_customer_booking_is_confirmed_without_approval(api, shop_a, frozen):
    response = book(api, shop_a.tenant.customer, shop_a)

    assert response.json()["status"] == AppointmentStatus.CONFIRMED


@pytest.mark.parametrize("role", ["admin", "manager", "actor_user"])
def test_staff_booking_is_confirmed_even_with_approval(api, shop_a, frozen, role):
    shop_a.service.requires_approval = True
    shop_a.service.save()

    response = book(
        api,
        getattr(shop_a.tenant, role),
        shop_a,
        customer=shop_a.tenant.customer.id,
    )

    assert response.status_code == 201
    assert response.json()["status"] == AppointmentStatus.CONFIRMED
    assert response.json()["customer"] == shop_a.tenant.customer.id


def test_customer_cannot_book_for_another_customer(api, shop_a, frozen):
    response = book(
        api, shop_a.tenant.customer, shop_a, customer=shop_a.tenant.other_customer.id
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "Customers can only book for themselves.",
    }
    assert Appointment.objects.count() == 0


def test_appointment_answer_has_the_contract_fields(api, shop_a, frozen):
    response = book(api, shop_a.tenant.customer, shop_a, notes="First visit")

    appointment = Appointment.objects.get()
    assert response.json() == {
        "id": appointment.id,
        "company": shop_a.company.id,
        "actor": shop_a.actor.id,
        "actor_name": shop_a.actor.display_name,
        "service": shop_a.service.id,
        "service_name": "Haircut",
        "customer": shop_a.tenant.customer.id,
        "customer_name": shop_a.tenant.customer.name,
        "start": "2027-01-05T10:00:00-03:00",
        "end": "2027-01-05T11:00:00-03:00",
        "status": "confirmed",
        "price": {
            "base": "80.00",
            "discounts": [],
            "final": "80.00",
            "currency": "BRL",
        },
        "notes": "First visit",
        "series": None,
        "created_by": shop_a.tenant.customer.id,
        "created_at": "2027-01-04T08:00:00-03:00",
        "updated_at": "2027-01-04T08:00:00-03:00",
    }


def test_lifecycle_request_confirm_reschedule_cancel_keeps_history(api, shop_a, frozen):
    shop_a.service.requires_approval = True
    shop_a.service.save()
    customer, manager = shop_a.tenant.customer, shop_a.tenant.manager

    created = book(api, customer, shop_a)
    appointment_id = created.json()["id"]
    frozen.shift(600)
    confirmed = api.as_user(manager).post(
        f"{APPOINTMENTS}{appointment_id}/confirm/", {"reason": "See you"}, format="json"
    )
    frozen.shift(600)
    moved = api.as_user(customer).post(
        f"{APPOINTMENTS}{appointment_id}/reschedule/",
        {"start": "2027-01-05T14:00", "note": "Running late"},
        format="json",
    )
    frozen.shift(600)
    cancelled = api.as_user(customer).post(
        f"{APPOINTMENTS}{appointment_id}/cancel/", {"reason": "Sick"}, format="json"
    )

    assert [r.status_code for r in (created, confirmed, moved, cancelled)] == [
        201,
        200,
        200,
        200,
    ]
    assert moved.json()["start"] == "2027-01-05T14:00:00-03:00"
    assert moved.json()["end"] == "2027-01-05T15:00:00-03:00"
    assert moved.json()["status"] == "confirmed"
    assert cancelled.json()["status"] == "cancelled"
    assert history(api, manager, appointment_id) == [
        {
            "at": "2027-01-04T08:00:00-03:00",
            "by": person(customer),
            "from_status": None,
            "to_status": "pending",
            "from_start": None,
            "to_start": "2027-01-05T10:00:00-03:00",
            "note": "",
        },
        {
            "at": "2027-01-04T08:10:00-03:00",
            "by": person(manager),
            "from_status": "pending",
            "to_status": "confirmed",
            "from_start": None,
            "to_start": None,
            "note": "See you",
        },
        {
            "at": "2027-01-04T08:20:00-03:00",
            "by": person(customer),
            "from_status": "confirmed",
            "to_status": "confirmed",
            "from_start": "2027-01-05T10:00:00-03:00",
            "to_start": "2027-01-05T14:00:00-03:00",
            "note": "Running late",
        },
        {
            "at": "2027-01-04T08:30:00-03:00",
            "by": person(customer),
            "from_status": "confirmed",
            "to_status": "cancelled",
            "from_start": None,
            "to_start": None,
            "note": "Sick",
        },
    ]


def test_lifecycle_reject_records_reason(api, shop_a, frozen):
    shop_a.service.requires_approval = True
    shop_a.service.save()
    appointment_id = book(api, shop_a.tenant.customer, shop_a).json()["id"]

    response = api.as_user(shop_a.tenant.actor_user).post(
        f"{APPOINTMENTS}{appointment_id}/reject/", {"reason": "Fully booked"}
    )

    assert response.json()["status"] == "rejected"
    row = AppointmentHistory.objects.filter(appointment_id=appointment_id).last()
    assert (row.by, row.from_status, row.to_status, row.note) == (
        shop_a.tenant.actor_user,
        "pending",
        "rejected",
        "Fully booked",
    )


def test_lifecycle_complete_and_no_show_after_start(api, shop_a, frozen):
    first = book(api, shop_a.tenant.customer, shop_a, "2027-01-05T10:00").json()
    second = book(api, shop_a.tenant.customer, shop_a, "2027-01-05T11:00").json()
    frozen.move_to(datetime(2027, 1, 5, 15, 0, tzinfo=UTC))

    completed = api.as_user(shop_a.tenant.actor_user).post(
        f"{APPOINTMENTS}{first['id']}/complete/"
    )
    missed = api.as_user(shop_a.tenant.manager).post(
        f"{APPOINTMENTS}{second['id']}/no_show/", {"reason": "Did not come"}
    )

    assert completed.json()["status"] == "completed"
    assert missed.json()["status"] == "no_show"
    assert [
        (row["from_status"], row["to_status"], row["note"])
        for row in history(api, shop_a.tenant.manager, second["id"])
    ] == [(None, "confirmed", ""), ("confirmed", "no_show", "Did not come")]


def test_reschedule_frees_the_old_slot_at_once(api, shop_a, frozen):
    appointment_id = book(api, shop_a.tenant.customer, shop_a).json()["id"]
    api.as_user(shop_a.tenant.customer).post(
        f"{APPOINTMENTS}{appointment_id}/reschedule/", {"start": "2027-01-05T14:00"}
    )

    response = book(api, shop_a.tenant.other_customer, shop_a, "2027-01-05T10:00")

    assert response.status_code == 201


def test_reschedule_may_overlap_its_own_old_time(api, shop_a, frozen):
    appointment_id = book(api, shop_a.tenant.customer, shop_a).json()["id"]

    response = api.as_user(shop_a.tenant.customer).post(
        f"{APPOINTMENTS}{appointment_id}/reschedule/", {"start": "2027-01-05T10:30"}
    )

    assert response.status_code == 200
    assert response.json()["start"] == "2027-01-05T10:30:00-03:00"


def test_reschedule_onto_taken_slot_answers_409_and_keeps_time(api, shop_a, frozen):
    appointment_id = book(api, shop_a.tenant.customer, shop_a).json()["id"]
    book(api, shop_a.tenant.other_customer, shop_a, "2027-01-05T14:00")

    response = api.as_user(shop_a.tenant.customer).post(
        f"{APPOINTMENTS}{appointment_id}/reschedule/",
        {"start": "2027-01-05T14:30"},
        **EN,
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "slot_unavailable",
        "detail": "The time overlaps another appointment.",
        "reason": "overlaps_appointment",
    }
    assert Appointment.objects.get(pk=appointment_id).start == at(TUESDAY, 10)
    assert AppointmentHistory.objects.filter(appointment_id=appointment_id).count() == 1


def test_reschedule_checks_the_appointments_own_duration_not_the_offers(
    api, shop_a, frozen
):
    appointment_id = book(api, shop_a.tenant.customer, shop_a).json()["id"]
    shop_a.offer.duration_minutes = 15
    shop_a.offer.save()
    url = f"{APPOINTMENTS}{appointment_id}/reschedule/"

    # The booked hour would run past 18:00; the offer's 15 minutes would not.
    refused = api.as_user(shop_a.tenant.customer).post(
        url, {"start": "2027-01-05T17:30"}, **EN
    )
    shop_a.offer.duration_minutes = 120
    shop_a.offer.save()
    # The booked hour ends at 18:00; the offer's two hours would not fit.
    moved = api.as_user(shop_a.tenant.customer).post(
        url, {"start": "2027-01-05T17:00"}, **EN
    )

    assert refused.status_code == 409
    assert refused.json()["reason"] == "outside_working_hours"
    assert moved.status_code == 200
    assert (moved.json()["start"], moved.json()["end"]) == (
        "2027-01-05T17:00:00-03:00",
        "2027-01-05T18:00:00-03:00",
    )


def test_reschedule_keeps_its_own_buffers_against_neighbours(api, shop_a, frozen):
    shop_a.service.buffer_after_minutes = 30
    shop_a.service.save()
    appointment_id = book(api, shop_a.tenant.customer, shop_a).json()["id"]
    shop_a.service.buffer_after_minutes = 0
    shop_a.service.save()
    book(api, shop_a.tenant.other_customer, shop_a, "2027-01-05T15:00")

    response = api.as_user(shop_a.tenant.customer).post(
        f"{APPOINTMENTS}{appointment_id}/reschedule/",
        {"start": "2027-01-05T14:00"},
        **EN,
    )

    # 14:00-15:00 plus the 30 minutes it was booked with reaches into 15:00.
    assert response.status_code == 409
    assert response.json()["reason"] == "overlaps_appointment"
    assert Appointment.objects.get(pk=appointment_id).start == at(TUESDAY, 10)


def test_cancel_frees_the_slot_at_once(api, shop_a, frozen):
    appointment_id = book(api, shop_a.tenant.customer, shop_a).json()["id"]
    api.as_user(shop_a.tenant.customer).post(f"{APPOINTMENTS}{appointment_id}/cancel/")

    response = book(api, shop_a.tenant.other_customer, shop_a)

    assert response.status_code == 201


def test_pending_request_holds_its_slot(api, shop_a, frozen):
    shop_a.service.requires_approval = True
    shop_a.service.save()
    book(api, shop_a.tenant.customer, shop_a)

    response = book(api, shop_a.tenant.other_customer, shop_a)

    assert response.status_code == 409
    assert response.json()["reason"] == "overlaps_appointment"


def test_patch_changes_notes_only(api, shop_a, frozen):
    appointment_id = book(api, shop_a.tenant.customer, shop_a).json()["id"]

    notes = api.as_user(shop_a.tenant.customer).patch(
        f"{APPOINTMENTS}{appointment_id}/", {"notes": "Beard too"}, format="json"
    )
    times = api.as_user(shop_a.tenant.customer).patch(
        f"{APPOINTMENTS}{appointment_id}/",
        {"start": "2027-01-05T15:00"},
        format="json",
        **EN,
    )

    assert notes.json()["notes"] == "Beard too"
    assert times.status_code == 400
    assert times.json()["fields"] == {
        "start": ["Times change only through reschedule."]
    }
    assert Appointment.objects.get().start == at(TUESDAY, 10)


# Price snapshot


def test_price_snapshot_uses_actor_specific_price(api, shop_a, frozen):
    shop_a.offer.price = Decimal("95.50")
    shop_a.offer.save()

    response = book(api, shop_a.tenant.customer, shop_a)

    assert response.json()["price"] == {
        "base": "95.50",
        "discounts": [],
        "final": "95.50",
        "currency": "BRL",
    }
    appointment = Appointment.objects.get()
    assert (appointment.price_base, appointment.price_final) == (
        Decimal("95.50"),
        Decimal("95.50"),
    )


def test_price_snapshot_falls_back_to_service_price(api, shop_a, frozen):
    other = ServiceFactory(
        company=shop_a.company, name="Beard", duration_minutes=30, price="35.00"
    )
    shop_a.actor.offers.create(company=shop_a.company, service=other)

    response = book(api, shop_a.tenant.customer, shop_a, service=other.id)

    assert response.json()["price"]["base"] == "35.00"
    assert response.json()["price"]["final"] == "35.00"


def test_price_snapshot_survives_later_price_changes(api, shop_a, frozen):
    shop_a.offer.price = Decimal("95.50")
    shop_a.offer.save()
    appointment_id = book(api, shop_a.tenant.customer, shop_a).json()["id"]

    api.as_user(shop_a.tenant.manager).patch(
        f"/api/appointments/actor-services/{shop_a.offer.id}/",
        {"price": "120.00"},
        format="json",
    )
    api.as_user(shop_a.tenant.manager).patch(
        f"/api/appointments/services/{shop_a.service.id}/",
        {"price": "150.00"},
        format="json",
    )
    api.as_user(shop_a.tenant.customer).post(
        f"{APPOINTMENTS}{appointment_id}/reschedule/", {"start": "2027-01-05T15:00"}
    )
    response = api.as_user(shop_a.tenant.customer).get(
        f"{APPOINTMENTS}{appointment_id}/"
    )

    assert response.json()["start"] == local(TUESDAY, 15)
    assert response.json()["price"] == {
        "base": "95.50",
        "discounts": [],
        "final": "95.50",
        "currency": "BRL",
    }
    new = book(api, shop_a.tenant.other_customer, shop_a, "2027-01-05T10:00")
    assert new.json()["price"]["base"] == "120.00"


def test_price_snapshot_takes_company_currency(api, shop_a, frozen):
    shop_a.company.currency = "USD"
    shop_a.company.save()

    response = book(api, shop_a.tenant.customer, shop_a)

    assert response.json()["price"]["currency"] == "USD"
