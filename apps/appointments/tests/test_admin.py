"""The Django admin shows bookings but never makes or reschedules them."""

import re
from datetime import timedelta

import pytest
from django.utils import translation

from apps.appointments.models import (
    ActorService,
    Appointment,
    AppointmentHistory,
    TimeBlock,
    WorkingHours,
)

from .support import EN, TUESDAY, at

APPOINTMENTS = "/admin/appointments/appointment/"
SERIES = "/admin/appointments/appointmentseries/"


@pytest.fixture
def admin_site(client, super_admin, frozen):
    # Signed in under the frozen clock, so the session is not already old.
    client.force_login(super_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def booked(shop_a, frozen):
    return shop_a.book(at(TUESDAY, 10))


def input_names(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', html))


def test_admin_appointment_add_is_refused(admin_site, booked, shop_a):
    page = admin_site.get(f"{APPOINTMENTS}add/")
    posted = admin_site.post(
        f"{APPOINTMENTS}add/",
        {
            "company": shop_a.company.id,
            "actor": shop_a.actor.id,
            "service": shop_a.service.id,
            "customer": shop_a.tenant.customer.id,
            "start": "2027-01-05 11:00:00",
            "end": "2027-01-05 12:00:00",
            "status": "confirmed",
            "price_base": "80.00",
            "price_final": "80.00",
            "currency": "BRL",
        },
    )

    assert (page.status_code, posted.status_code) == (403, 403)
    assert Appointment.objects.count() == 1


def test_admin_appointment_list_and_change_pages_answer(admin_site, booked):
    listing = admin_site.get(APPOINTMENTS)
    change = admin_site.get(f"{APPOINTMENTS}{booked.pk}/change/")
    history = admin_site.get(f"{APPOINTMENTS}{booked.pk}/history/")

    assert (listing.status_code, change.status_code, history.status_code) == (
        200,
        200,
        200,
    )
    assert 'href="/admin/appointments/appointment/add/"' not in listing.content.decode()
    editable = {
        name
        for name in input_names(change.content.decode())
        if not name.startswith("history-")
    }
    assert editable == {"csrfmiddlewaretoken", "notes", "_save", "_continue"}


def test_admin_appointment_change_saves_notes_only(admin_site, booked, shop_a):
    later = booked.start + timedelta(hours=3)

    response = admin_site.post(
        f"{APPOINTMENTS}{booked.pk}/change/",
        {
            "notes": "Bring the photo",
            "status": "cancelled",
            "start_0": later.strftime("%Y-%m-%d"),
            "start_1": later.strftime("%H:%M:%S"),
            "actor": shop_a.actor.id,
            "history-TOTAL_FORMS": "1",
            "history-INITIAL_FORMS": "1",
            "history-MIN_NUM_FORMS": "0",
            "history-MAX_NUM_FORMS": "1000",
            "history-0-id": booked.history.get().id,
            "history-0-appointment": booked.pk,
        },
    )

    assert response.status_code == 302
    saved = Appointment.objects.get(pk=booked.pk)
    assert (saved.notes, saved.status, saved.start, saved.end) == (
        "Bring the photo",
        "confirmed",
        booked.start,
        booked.end,
    )
    assert AppointmentHistory.objects.filter(appointment=booked).count() == 1


def test_admin_appointment_series_add_is_refused(admin_site, db):
    listing = admin_site.get(SERIES)
    page = admin_site.get(f"{SERIES}add/")

    assert (listing.status_code, page.status_code) == (200, 403)


# Model validation through the admin's forms ---------------------------------


def current_values(response) -> dict:
    """The change form's data as a browser would post it back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value is not None and value is not False:
            data[name] = value
    return data


def form_errors(response) -> dict:
    # The messages are lazy; read them in the language the page was made in.
    with translation.override("en"):
        return {
            field: [str(message) for message in messages]
            for field, messages in response.context["adminform"].form.errors.items()
        }


def test_admin_time_block_add_refuses_end_before_start(admin_site, shop_a):
    response = admin_site.post(
        "/admin/appointments/timeblock/add/",
        {
            "company": shop_a.company.id,
            "actor": shop_a.actor.id,
            "start_0": "2027-01-05",
            "start_1": "12:00:00",
            "end_0": "2027-01-05",
            "end_1": "11:00:00",
            "reason": "Dentist",
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == {"end": ["The end must be after the start."]}
    assert TimeBlock.objects.count() == 0


def test_admin_time_block_add_refuses_another_companys_actor(
    admin_site, shop_a, shop_b
):
    response = admin_site.post(
        "/admin/appointments/timeblock/add/",
        {
            "company": shop_b.company.id,
            "actor": shop_a.actor.id,
            "start_0": "2027-01-05",
            "start_1": "11:00:00",
            "end_0": "2027-01-05",
            "end_1": "12:00:00",
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": ["The actor belongs to another company."]
    }
    assert TimeBlock.objects.count() == 0


def test_admin_time_block_add_saves_a_valid_block(admin_site, shop_a):
    response = admin_site.post(
        "/admin/appointments/timeblock/add/",
        {
            "company": shop_a.company.id,
            "actor": shop_a.actor.id,
            "start_0": "2027-01-05",
            "start_1": "11:00:00",
            "end_0": "2027-01-05",
            "end_1": "12:00:00",
            "reason": "Dentist",
        },
    )

    assert response.status_code == 302
    block = TimeBlock.objects.get()
    assert (block.start, block.end, block.rrule) == (
        at(TUESDAY, 11),
        at(TUESDAY, 12),
        "",
    )


def test_admin_actor_service_add_refuses_another_companys_service(
    admin_site, shop_a, shop_b
):
    response = admin_site.post(
        "/admin/appointments/actorservice/add/",
        {
            "company": shop_a.company.id,
            "actor": shop_a.actor.id,
            "service": shop_b.service.id,
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": ["The service belongs to another company."]
    }
    assert ActorService.objects.filter(service=shop_b.service).count() == 1


def test_admin_actor_service_add_refuses_another_companys_actor(
    admin_site, shop_a, shop_b
):
    response = admin_site.post(
        "/admin/appointments/actorservice/add/",
        {
            "company": shop_b.company.id,
            "actor": shop_a.actor.id,
            "service": shop_b.service.id,
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": ["The actor belongs to another company."]
    }
    assert ActorService.objects.count() == 2


def test_admin_actor_inline_refuses_another_companys_service(
    admin_site, shop_a, shop_b
):
    url = f"/admin/appointments/actor/{shop_a.actor.id}/change/"
    data = current_values(admin_site.get(url))
    data.update(
        {
            "offers-TOTAL_FORMS": "1",
            "offers-INITIAL_FORMS": "0",
            "offers-MIN_NUM_FORMS": "0",
            "offers-MAX_NUM_FORMS": "1000",
            "offers-0-actor": shop_a.actor.id,
            "offers-0-service": shop_b.service.id,
            "offers-0-is_active": "on",
            "working_hours-TOTAL_FORMS": "0",
            "working_hours-INITIAL_FORMS": "0",
            "working_hours-MIN_NUM_FORMS": "0",
            "working_hours-MAX_NUM_FORMS": "1000",
        }
    )

    response = admin_site.post(url, data)

    assert response.status_code == 200
    offers = response.context["inline_admin_formsets"][0].formset
    with translation.override("en"):
        errors = [str(message) for message in offers.errors[0]["__all__"]]
    assert errors == ["The service belongs to another company."]
    assert ActorService.objects.filter(actor=shop_a.actor).count() == 1


def test_admin_working_hours_add_refuses_another_companys_actor(
    admin_site, shop_a, shop_b
):
    before = WorkingHours.objects.count()

    response = admin_site.post(
        "/admin/appointments/workinghours/add/",
        {
            "company": shop_b.company.id,
            "actor": shop_a.actor.id,
            "weekday": "0",
            "start_time": "19:00",
            "end_time": "20:00",
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": ["The actor belongs to another company."]
    }
    assert WorkingHours.objects.count() == before


def test_admin_working_hours_add_refuses_an_empty_range(admin_site, shop_a):
    before = WorkingHours.objects.count()

    response = admin_site.post(
        "/admin/appointments/workinghours/add/",
        {
            "company": shop_a.company.id,
            "actor": shop_a.actor.id,
            "weekday": "0",
            "start_time": "19:00",
            "end_time": "19:00",
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == {
        "end_time": ["The end time must differ from the start time."]
    }
    assert WorkingHours.objects.count() == before


def test_admin_service_in_use_cannot_move_to_another_company(
    admin_site, shop_a, shop_b
):
    url = f"/admin/appointments/service/{shop_a.service.id}/change/"
    data = current_values(admin_site.get(url))
    data["company"] = shop_b.company.id

    response = admin_site.post(url, data)

    assert response.status_code == 200
    assert form_errors(response) == {
        "company": ["A service in use cannot move to another company."]
    }
    shop_a.service.refresh_from_db()
    assert shop_a.service.company_id == shop_a.company.id


def test_admin_actor_must_keep_its_memberships_company(admin_site, shop_a, shop_b):
    url = f"/admin/appointments/actor/{shop_a.actor.id}/change/"
    data = current_values(admin_site.get(url))
    data.update(
        {
            "company": shop_b.company.id,
            "offers-TOTAL_FORMS": "0",
            "offers-INITIAL_FORMS": "0",
            "working_hours-TOTAL_FORMS": "0",
            "working_hours-INITIAL_FORMS": "0",
        }
    )

    response = admin_site.post(url, data)

    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": ["The company and user must be those of the membership."]
    }
    shop_a.actor.refresh_from_db()
    assert shop_a.actor.company_id == shop_a.company.id


def test_api_keeps_its_own_codes_for_rows_the_models_refuse(api, shop_a, shop_b):
    client = api.as_user(shop_a.tenant.manager)

    offer = client.post(
        "/api/appointments/actor-services/",
        {"actor": shop_a.actor.id, "service": shop_b.service.id},
        format="json",
        **EN,
    )
    block = client.post(
        "/api/appointments/time-blocks/",
        {
            "actor": shop_a.actor.id,
            "start": "2027-01-05T12:00:00-03:00",
            "end": "2027-01-05T11:00:00-03:00",
        },
        format="json",
        **EN,
    )

    assert offer.status_code == 404
    assert offer.json() == {"code": "not_found", "detail": "Not found."}
    assert block.status_code == 400
    assert block.json() == {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {"end": ["The end must be after the start."]},
    }


def test_admin_recurring_time_block_keeps_its_rule_and_times(admin_site, shop_a):
    block = TimeBlock.objects.create(
        company=shop_a.company,
        actor=shop_a.actor,
        start=at(TUESDAY, 12),
        end=at(TUESDAY, 13),
        rrule="FREQ=WEEKLY;COUNT=4",
        recurrence_end=at(TUESDAY, 13) + timedelta(weeks=3),
    )

    adding = admin_site.get("/admin/appointments/timeblock/add/")
    change = admin_site.get(f"/admin/appointments/timeblock/{block.pk}/change/")

    assert (adding.status_code, change.status_code) == (200, 200)
    assert input_names(change.content.decode()) == {
        "csrfmiddlewaretoken",
        "company",
        "actor",
        "reason",
        "_save",
        "_continue",
        "_addanother",
    }
