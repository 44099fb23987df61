"""The Twilio backend against the fake Twilio API, through the real SDK."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.notifications import services
from apps.notifications.backends.whatsapp import TwilioWhatsAppBackend
from apps.notifications.models import Notification
from apps.notifications.tasks import send_whatsapp_task

from .conftest import CUSTOMER_PHONE, SENDER_PHONE
from .fake_twilio import error, slow

pytestmark = pytest.mark.django_db

TO = f"whatsapp:{CUSTOMER_PHONE}"


@pytest.fixture
def queued(tenant_a):
    def make(body="Lembrete: Haircut em 14/03/2027 10:00.", **fields):
        return Notification.objects.create(
            key=f"test:{Notification.objects.count()}",
            company=tenant_a.company,
            recipient=tenant_a.customer,
            channel="whatsapp",
            kind="appointment.reminder",
            language="pt-br",
            address=TO,
            title="Lembrete",
            body=body,
            next_attempt_at=timezone.now(),
            **fields,
        )

    return make


def test_twilio_send_records_the_message_sid(fake_twilio, queued):
    row = queued()

    send_whatsapp_task.delay(row.pk)

    row.refresh_from_db()
    [message] = fake_twilio.messages
    assert (message["to"], message["from"], message["body"]) == (
        TO,
        f"whatsapp:{SENDER_PHONE}",
        "Lembrete: Haircut em 14/03/2027 10:00.",
    )
    assert (row.status, row.provider_id, row.attempts) == ("sent", message["sid"], 1)


def test_twilio_status_callback_is_sent_when_the_public_url_is_known(
    fake_twilio, queued, settings
):
    settings.TWILIO_WEBHOOK_BASE_URL = "https://secretary.example.com/"
    row = queued()

    send_whatsapp_task.delay(row.pk)

    [request] = fake_twilio.requests
    assert request["StatusCallback"] == (
        "https://secretary.example.com/api/notifications/whatsapp/status/"
    )


def test_twilio_invalid_number_is_recorded_and_not_retried(fake_twilio, queued):
    fake_twilio.invalid_numbers.add(CUSTOMER_PHONE)
    row = queued()

    send_whatsapp_task.delay(row.pk)

    row.refresh_from_db()
    assert (row.status, row.error_code, row.attempts) == ("failed", "21211", 1)
    assert row.error == (
        f"Unable to create record: The 'To' number {TO} is not a valid phone number."
    )
    assert len(fake_twilio.requests) == 1
    assert fake_twilio.messages == []


def test_twilio_server_error_is_retried_then_sent_once(fake_twilio, queued):
    fake_twilio.script(error(503, 20503), error(500, 20500))
    row = queued()

    send_whatsapp_task.delay(row.pk)

    row.refresh_from_db()
    assert len(fake_twilio.requests) == 3
    [message] = fake_twilio.messages
    assert (row.status, row.provider_id, row.attempts) == ("sent", message["sid"], 3)


def test_twilio_too_many_requests_is_temporary(fake_twilio, queued):
    fake_twilio.script(error(429, 20429))
    row = queued()

    result = services.notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert result == services.SendResult("retry", retry_in=15.0)
    assert (row.status, row.error_code, row.attempts) == ("queued", "20429", 1)


def test_twilio_timeout_then_retry_finds_the_message_instead_of_resending(
    fake_twilio, queued, settings
):
    settings.TWILIO_TIMEOUT_SECONDS = 0.3
    fake_twilio.script(slow(0.8))
    row = queued()

    send_whatsapp_task.delay(row.pk)

    row.refresh_from_db()
    [message] = fake_twilio.messages
    assert len(fake_twilio.requests) == 1
    assert (row.status, row.provider_id, row.attempts) == ("sent", message["sid"], 2)


def test_twilio_retries_stop_after_the_last_attempt(fake_twilio, queued, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    fake_twilio.script(*[error(503, 20503)] * 5)
    row = queued()

    send_whatsapp_task.delay(row.pk)

    row.refresh_from_db()
    assert (row.status, row.error_code, row.attempts) == ("failed", "20503", 3)
    assert len(fake_twilio.requests) == 3


def test_twilio_unreachable_api_is_a_temporary_fault(fake_twilio, queued, settings):
    settings.TWILIO_API_URL = "http://127.0.0.1:9"
    row = queued()

    result = services.notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert result.outcome == "retry"
    assert (row.status, row.error_code) == ("queued", "network")


def test_notification_send_leaves_a_row_another_worker_holds(fake_twilio, queued):
    now = timezone.now()
    row = queued(status="sending", attempts=1, lease_until=now + timedelta(seconds=60))

    result = services.notification_send(notification_id=row.pk)

    assert result.outcome == "not_claimed"
    assert fake_twilio.requests == []


def test_notification_send_resumes_an_expired_lease_without_resending(
    fake_twilio, queued
):
    # A worker died after Twilio accepted the message but before it wrote
    # the sid: the message exists at Twilio, the row is still `sending`.
    start = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        row = queued(status="sending", attempts=1)
        backend = TwilioWhatsAppBackend()
        sid = backend.send(row)
        Notification.objects.filter(pk=row.pk).update(
            lease_until=start + timedelta(seconds=120)
        )
    with time_machine.travel(start + timedelta(seconds=121), tick=False):
        result = services.notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert result.outcome == "sent"
    assert (row.status, row.provider_id, row.attempts) == ("sent", sid, 2)
    assert len(fake_twilio.requests) == 1


def test_notification_send_resumes_an_expired_lease_and_sends_if_nothing_went_out(
    fake_twilio, queued
):
    start = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        row = queued(
            status="sending", attempts=1, lease_until=start + timedelta(seconds=120)
        )
    with time_machine.travel(start + timedelta(seconds=121), tick=False):
        result = services.notification_send(notification_id=row.pk)

    row.refresh_from_db()
    [message] = fake_twilio.messages
    assert result.outcome == "sent"
    assert (row.status, row.provider_id, row.attempts) == ("sent", message["sid"], 2)


def test_twilio_error_code_is_kept_from_the_status_callback_service(tenant_a, queued):
    row = queued(status="sent", provider_id="SM123")

    changed = services.whatsapp_status_record(
        sid="SM123", status="undelivered", error_code="63016"
    )

    row.refresh_from_db()
    assert changed == 1
    assert (row.provider_status, row.error_code, row.status) == (
        "undelivered",
        "63016",
        "sent",
    )
