from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.appointments.events import AppointmentEvent
from apps.notifications.models import Notification, NotificationPreference

from .conftest import announce, make_appointment

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
START = datetime(2027, 3, 14, 13, 0, tzinfo=UTC)
URL = "/api/notifications/"


@pytest.fixture
def notified(phones, django_capture_on_commit_callbacks):
    appointment = make_appointment(phones, start=START)
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)
            announce(appointment, AppointmentEvent.CANCELLED, by=phones.manager)
    return phones


def test_notification_list_shows_own_in_app_notifications(api, notified):
    response = api.as_user(notified.customer).get(URL)

    assert response.status_code == 200
    assert response.data["count"] == 2
    first = response.data["results"][0]
    row = Notification.objects.get(
        recipient=notified.customer, channel="in_app", kind="appointment.cancelled"
    )
    assert first == {
        "id": row.pk,
        "kind": "appointment.cancelled",
        "title": "Agendamento cancelado",
        "body": (
            "Olá Ana Souza, seu agendamento de Haircut com Bruno em Alpha Co no "
            "dia 14/03/2027 10:00 foi cancelado."
        ),
        "data": row.data,
        "channel": "in_app",
        "status": "sent",
        "read_at": None,
        "created_at": "2027-03-10T09:00:00-03:00",
    }


def test_notification_list_query_count_is_fixed(api, notified):
    client = api.as_user(notified.customer)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    assert response.status_code == 200
    assert len(queries) == 2


def test_notification_list_unread_filter(api, notified):
    client = api.as_user(notified.customer)
    latest = client.get(URL).data["results"][0]["id"]
    client.post(f"{URL}{latest}/read/")

    response = client.get(URL, {"unread": "true"})

    assert [item["kind"] for item in response.data["results"]] == [
        "appointment.confirmed"
    ]


def test_notification_read_marks_once(api, notified):
    client = api.as_user(notified.customer)
    row = Notification.objects.filter(
        recipient=notified.customer, channel="in_app"
    ).first()

    with time_machine.travel(NOW, tick=False):
        first = client.post(f"{URL}{row.pk}/read/")
    second = client.post(f"{URL}{row.pk}/read/")

    row.refresh_from_db()
    assert (first.status_code, second.status_code) == (204, 204)
    assert row.read_at == NOW


def test_notification_read_of_someone_else_answers_404(api, notified, tenant_b):
    row = Notification.objects.filter(recipient=notified.customer).first()

    response = api.as_user(tenant_b.customer).post(f"{URL}{row.pk}/read/")

    row.refresh_from_db()
    assert response.status_code == 404
    assert response.data["code"] == "not_found"
    assert row.read_at is None


def test_notification_list_never_shows_another_users_rows(api, notified, tenant_b):
    response = api.as_user(tenant_b.customer).get(URL)

    assert response.data["count"] == 0


def test_notification_read_all_marks_only_own(api, notified):
    response = api.as_user(notified.customer).post(f"{URL}read-all/")

    assert response.status_code == 204
    assert (
        Notification.objects.filter(
            recipient=notified.customer, channel="in_app", read_at__isnull=True
        ).count()
        == 0
    )
    assert (
        Notification.objects.filter(
            recipient=notified.actor_user, channel="in_app", read_at__isnull=True
        ).count()
        == 2
    )


def test_notification_list_requires_authentication(api, notified):
    response = api.get(URL)

    assert response.status_code == 401


def test_preferences_default_to_everything_on(api, tenant_a):
    response = api.as_user(tenant_a.customer).get(f"{URL}preferences/")

    assert response.status_code == 200
    assert response.data == {
        "whatsapp": True,
        "email": True,
        "in_app": True,
        "reminders": True,
        "language": "",
    }


def test_preferences_patch_saves_channels_and_language(api, tenant_a):
    response = api.as_user(tenant_a.customer).patch(
        f"{URL}preferences/", {"whatsapp": False, "language": "en"}, format="json"
    )

    tenant_a.customer.refresh_from_db()
    preference = NotificationPreference.objects.get(user=tenant_a.customer)
    assert response.status_code == 200
    assert response.data == {
        "whatsapp": False,
        "email": True,
        "in_app": True,
        "reminders": True,
        "language": "en",
    }
    assert (preference.whatsapp, tenant_a.customer.language) == (False, "en")


def test_preferences_patch_rejects_an_unknown_language(api, tenant_a):
    response = api.as_user(tenant_a.customer).patch(
        f"{URL}preferences/", {"language": "fr"}, format="json"
    )

    assert response.status_code == 400
    assert response.data["code"] == "validation_error"
    assert list(response.data["fields"]) == ["language"]
    assert NotificationPreference.objects.filter(user=tenant_a.customer).count() == 0
