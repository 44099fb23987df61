"""The Django admin shows bookings but never makes or reschedules them."""

import re
from datetime import timedelta

import pytest

from apps.appointments.models import Appointment, AppointmentHistory

from .support import TUESDAY, at

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
