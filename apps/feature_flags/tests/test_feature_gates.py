"""Each registry flag stops its feature where the feature acts.

Every test turns the flag off for the tenant's company only, by targeting it
at the other company, so the same test also shows the feature still works
there. Flags whose feature does not exist yet (coupons, dynamic_pricing,
google_calendar_sync) have no test here.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.appointments.models import Appointment
from apps.core.tests.factories import ActorServiceFactory, ServiceFactory, full_week
from apps.notifications import realtime
from apps.notifications import services as notification_services
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2027, 3, 8, 8, 0, tzinfo=SAO_PAULO)  # a Monday
START = "2027-03-09T10:00"
URL = "/api/appointments/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def bookable(tenant):
    """A 30-minute service the tenant's actor offers every day 09:00-18:00."""
    service = ServiceFactory(
        company=tenant.company, name="Haircut", duration_minutes=30
    )
    ActorServiceFactory(actor=tenant.actor, service=service)
    full_week(tenant.actor, time(9), time(18))
    return service


def booking(tenant, service, **fields) -> dict:
    return {"actor": tenant.actor.pk, "service": service.pk, "start": START, **fields}


def off_for(make_flag, name, tenant, other):
    """The flag on only for `other`'s company: off for `tenant`'s."""
    make_flag(name, companies=[other.company])


# customer_self_booking -----------------------------------------------------------


def test_gate_customer_self_booking_off_refuses_the_customer(
    api, make_flag, tenant_a, tenant_b
):
    service = bookable(tenant_a)
    off_for(make_flag, "customer_self_booking", tenant_a, tenant_b)

    response = api.as_user(tenant_a.customer).post(
        URL, booking(tenant_a, service), **EN
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "feature_disabled",
        "detail": "The feature “Customer self-booking” is not enabled.",
        "feature": "customer_self_booking",
    }
    assert Appointment.objects.count() == 0


def test_gate_customer_self_booking_off_still_lets_staff_book(
    api, make_flag, tenant_a, tenant_b
):
    service = bookable(tenant_a)
    off_for(make_flag, "customer_self_booking", tenant_a, tenant_b)

    response = api.as_user(tenant_a.manager).post(
        URL, booking(tenant_a, service, customer=tenant_a.customer.pk), **EN
    )

    assert response.status_code == 201
    assert Appointment.objects.count() == 1


def test_gate_customer_self_booking_on_lets_the_customer_book(
    api, make_flag, tenant_a, tenant_b
):
    service = bookable(tenant_b)
    off_for(make_flag, "customer_self_booking", tenant_a, tenant_b)

    response = api.as_user(tenant_b.customer).post(
        URL, booking(tenant_b, service), **EN
    )

    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"


# recurring_appointments ----------------------------------------------------------


def test_gate_recurring_appointments_off_refuses_a_series(
    api, make_flag, tenant_a, tenant_b
):
    service = bookable(tenant_a)
    off_for(make_flag, "recurring_appointments", tenant_a, tenant_b)
    recurrence = {"frequency": "weekly", "count": 3}

    response = api.as_user(tenant_a.manager).post(
        URL,
        booking(
            tenant_a, service, customer=tenant_a.customer.pk, recurrence=recurrence
        ),
        **EN,
    )

    assert response.status_code == 403
    assert response.json()["code"] == "feature_disabled"
    assert response.json()["feature"] == "recurring_appointments"
    assert Appointment.objects.count() == 0


def test_gate_recurring_appointments_on_books_the_series(
    api, make_flag, tenant_a, tenant_b
):
    service = bookable(tenant_b)
    off_for(make_flag, "recurring_appointments", tenant_a, tenant_b)
    recurrence = {"frequency": "weekly", "count": 3}

    response = api.as_user(tenant_b.manager).post(
        URL,
        booking(
            tenant_b, service, customer=tenant_b.customer.pk, recurrence=recurrence
        ),
        **EN,
    )

    assert response.status_code == 201
    assert len(response.json()["appointments"]) == 3


# appointment_approval ------------------------------------------------------------


def require_approval(tenant):
    tenant.company.requires_approval = True
    tenant.company.save(update_fields=["requires_approval"])


def test_gate_appointment_approval_off_confirms_requests_at_once(
    api, make_flag, tenant_a, tenant_b
):
    require_approval(tenant_a)
    service = bookable(tenant_a)
    off_for(make_flag, "appointment_approval", tenant_a, tenant_b)

    response = api.as_user(tenant_a.customer).post(
        URL, booking(tenant_a, service), **EN
    )

    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"


def test_gate_appointment_approval_on_keeps_requests_pending(
    api, make_flag, tenant_a, tenant_b
):
    require_approval(tenant_b)
    service = bookable(tenant_b)
    off_for(make_flag, "appointment_approval", tenant_a, tenant_b)

    response = api.as_user(tenant_b.customer).post(
        URL, booking(tenant_b, service), **EN
    )

    assert response.status_code == 201
    assert response.json()["status"] == "pending"


# Notifications: off means silent ------------------------------------------------


def channels_of(user) -> list[str]:
    return sorted(
        set(
            Notification.objects.filter(recipient=user).values_list(
                "channel", flat=True
            )
        )
    )


def customer_books(api, tenant):
    service = bookable(tenant)
    tenant.customer.phone = "+5511987654321"
    tenant.customer.save()
    response = api.as_user(tenant.customer).post(URL, booking(tenant, service), **EN)
    assert response.status_code == 201
    return response


@pytest.mark.parametrize(
    ("name", "channel"),
    [("email_notifications", "email"), ("whatsapp_notifications", "whatsapp")],
)
def test_gate_notification_channel_off_sends_nothing_on_it(
    api, make_flag, tenant_a, tenant_b, name, channel
):
    off_for(make_flag, name, tenant_a, tenant_b)

    customer_books(api, tenant_a)
    customer_books(api, tenant_b)

    assert channel not in channels_of(tenant_a.customer)
    assert channel in channels_of(tenant_b.customer)
    assert "in_app" in channels_of(tenant_a.customer)


def test_gate_appointment_reminders_off_sends_no_reminder(
    api, make_flag, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    off_for(make_flag, "appointment_reminders", tenant_a, tenant_b)
    customer_books(api, tenant_a)
    customer_books(api, tenant_b)
    day_before = datetime(2027, 3, 9, 10, 0, tzinfo=SAO_PAULO) - timedelta(hours=24)

    with (
        time_machine.travel(day_before + timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification_services.reminders_send_due()

    reminded = set(
        Notification.objects.filter(kind="appointment.reminder").values_list(
            "recipient__email", flat=True
        )
    )
    assert reminded == {tenant_b.customer.email}


def test_gate_websocket_notifications_off_pushes_nothing(
    api, make_flag, tenant_a, tenant_b, monkeypatch, django_capture_on_commit_callbacks
):
    off_for(make_flag, "websocket_notifications", tenant_a, tenant_b)
    pushed = []
    monkeypatch.setattr(
        realtime, "push", lambda groups, event_type, data: pushed.extend(groups)
    )

    with django_capture_on_commit_callbacks(execute=True):
        customer_books(api, tenant_a)
        customer_books(api, tenant_b)

    companies = {group.split(".")[1] for group in pushed if group.startswith("company")}
    assert companies == {str(tenant_b.company.pk)}
