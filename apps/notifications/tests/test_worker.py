"""End to end: PostgreSQL, a real RabbitMQ and a real `celery worker` process.

One worker serves the whole module (the kill test restarts it). It reads
the test database, consumes a RabbitMQ vhost of its own, sends WhatsApp to
the fake Twilio and writes emails to files. Data is committed
(`transaction=True`) so the worker sees it; `available_apps` lists every
app only so the flush between tests may cascade.

The worker's clock cannot be frozen, so where a test stands for time
passing (a lease running out, rows waiting for the redispatch run) it moves
the stored times back instead, and publishes the periodic task as beat
would.
"""

import socket
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from apps.core.tests.factories import ActorServiceFactory, ServiceFactory, full_week
from apps.notifications import services
from apps.notifications.models import Notification, Reminder
from apps.notifications.tasks import (
    redispatch_stuck_notifications_task,
    scan_reminders_task,
)

from .conftest import ACTOR_PHONE, CUSTOMER_PHONE, SENDER_PHONE, make_appointment
from .fake_twilio import ACCOUNT_SID, AUTH_TOKEN, error, slow
from .live_worker import Vhost, Worker, database_url, publishing_to, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.rabbitmq,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
]

# The worker's send lease: long enough that the restarted worker of the kill
# test always meets the row still leased, however slowly it starts.
LEASE_SECONDS = 60
RETRY_BASE_SECONDS = 0.5
CUSTOMER_TO = f"whatsapp:{CUSTOMER_PHONE}"
ACTOR_TO = f"whatsapp:{ACTOR_PHONE}"


@pytest.fixture(scope="module")
def vhost():
    with Vhost() as created:
        yield created


@pytest.fixture(scope="module")
def mail_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="module")
def worker(django_db_setup, vhost, fake_twilio_server, mail_dir, tmp_path_factory):
    process = Worker(
        {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": vhost.url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_PHONE_NUMBER": SENDER_PHONE,
            "TWILIO_API_URL": fake_twilio_server.url,
            "TWILIO_WEBHOOK_BASE_URL": "",
            "TWILIO_TIMEOUT_SECONDS": "2",
            # django-environ drops the first slash of the path.
            "EMAIL_URL": f"filemail:///{mail_dir}",
            "NOTIFICATIONS_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
            "NOTIFICATIONS_RETRY_BASE_SECONDS": str(RETRY_BASE_SECONDS),
        },
        log_dir=tmp_path_factory.mktemp("worker"),
    ).start()
    yield process
    process.stop()


@pytest.fixture
def live(worker, vhost, mail_dir, fake_twilio_server, settings):
    """This process publishes to the worker's vhost; fake Twilio and mail empty."""
    fake_twilio_server.reset()
    for path in mail_dir.iterdir():
        path.unlink()
    settings.NOTIFICATIONS_SEND_LEASE_SECONDS = LEASE_SECONDS
    if worker.process.poll() is not None:
        worker.start()
    worker.mark()
    with publishing_to(vhost.url):
        yield worker


def emails_to(mail_dir: Path) -> list[str]:
    return sorted(
        line.removeprefix("To: ")
        for path in mail_dir.iterdir()
        for line in path.read_text().splitlines()
        if line.startswith("To: ")
    )


def settled() -> bool:
    return not Notification.objects.filter(status__in=["queued", "sending"]).exists()


def book(api, tenant):
    service = ServiceFactory(
        company=tenant.company, name="Haircut", duration_minutes=30
    )
    ActorServiceFactory(actor=tenant.actor, service=service)
    full_week(tenant.actor)
    local_now = timezone.localtime(timezone.now(), tenant.company.tzinfo)
    start = (local_now + timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return api.as_user(tenant.customer).post(
        "/api/appointments/",
        {"actor": tenant.actor.pk, "service": service.pk, "start": start.isoformat()},
        format="json",
    )


def queued_whatsapp(tenant) -> Notification:
    return Notification.objects.create(
        key=f"test:{time.monotonic_ns()}",
        company=tenant.company,
        recipient=tenant.customer,
        channel="whatsapp",
        kind="appointment.confirmed",
        language="pt-br",
        address=CUSTOMER_TO,
        title="Agendamento confirmado",
        body="Seu Haircut está confirmado.",
        next_attempt_at=timezone.now(),
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_worker_booking_sends_one_whatsapp_and_one_email_per_recipient(
    live, api, phones, fake_twilio_server, mail_dir
):
    response = book(api, phones)

    assert response.status_code == 201, response.content
    assert wait_until(settled)
    time.sleep(0.5)  # room for a duplicate to show up, were there one
    assert len(fake_twilio_server.sent_to(CUSTOMER_TO)) == 1
    assert len(fake_twilio_server.sent_to(ACTOR_TO)) == 1
    assert len(fake_twilio_server.requests) == 2
    assert emails_to(mail_dir) == [
        "actor@alpha.example.com",
        "customer@alpha.example.com",
    ]
    assert sorted(
        Notification.objects.exclude(channel="in_app").values_list(
            "recipient__email", "channel", "status", "attempts"
        )
    ) == [
        ("actor@alpha.example.com", "email", "sent", 1),
        ("actor@alpha.example.com", "whatsapp", "sent", 1),
        ("customer@alpha.example.com", "email", "sent", 1),
        ("customer@alpha.example.com", "whatsapp", "sent", 1),
    ]
    assert live.outcomes("send_whatsapp_task") == ["sent", "sent"]
    assert live.outcomes("send_email_task") == ["sent", "sent"]


def test_worker_killed_mid_send_then_restarted_sends_exactly_once(
    live, phones, fake_twilio_server
):
    fake_twilio_server.script(slow(3))
    row = queued_whatsapp(phones)
    services.notifications_dispatch([(row.pk, "whatsapp")])
    assert fake_twilio_server.wait_for_requests(1)

    live.kill()  # Twilio has the message; the worker never learns its sid
    live.start()

    # RabbitMQ hands the unacknowledged task to the restarted worker, which
    # finds the row still leased by the dead one and leaves it.
    # A restart on a loaded machine can take a while; the wait ends early.
    assert wait_until(
        lambda: live.outcomes("send_whatsapp_task") == ["not_claimed"], timeout=45
    )
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sending", 1)

    # The lease runs out; beat's redispatch run hands the row over again.
    Notification.objects.filter(pk=row.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    redispatch_stuck_notifications_task.delay()

    assert wait_until(
        lambda: live.outcomes("send_whatsapp_task")[-1:] == ["sent"], timeout=45
    )
    row.refresh_from_db()
    [message] = fake_twilio_server.messages
    assert len(fake_twilio_server.requests) == 1
    assert (row.status, row.provider_id, row.attempts) == ("sent", message["sid"], 2)
    assert live.outcomes("redispatch_stuck_notifications_task") == ["1"]
    assert live.outcomes("send_whatsapp_task") == ["not_claimed", "sent"]


def test_worker_broker_down_during_booking_sends_after_it_is_back(
    live, api, phones, fake_twilio_server, mail_dir
):
    with publishing_to(f"amqp://guest:guest@127.0.0.1:{closed_port()}//"):
        started = time.monotonic()
        response = book(api, phones)
        elapsed = time.monotonic() - started
    time.sleep(0.5)

    assert response.status_code == 201, response.content
    assert elapsed < 10
    assert Notification.objects.filter(status="queued").count() == 4
    assert fake_twilio_server.requests == []

    # RabbitMQ is back, and the rows have waited long enough to count as
    # stuck when beat's redispatch run comes.
    Notification.objects.filter(status="queued").update(
        next_attempt_at=F("next_attempt_at")
        - timedelta(minutes=settings.NOTIFICATIONS_STUCK_AFTER_MINUTES + 1)
    )
    redispatch_stuck_notifications_task.delay()

    assert wait_until(lambda: live.outcomes("redispatch_stuck_notifications_task"))
    assert wait_until(settled)
    time.sleep(0.5)
    assert live.outcomes("redispatch_stuck_notifications_task") == ["4"]
    assert len(fake_twilio_server.sent_to(CUSTOMER_TO)) == 1
    assert len(fake_twilio_server.sent_to(ACTOR_TO)) == 1
    assert len(fake_twilio_server.requests) == 2
    assert emails_to(mail_dir) == [
        "actor@alpha.example.com",
        "customer@alpha.example.com",
    ]


def test_worker_duplicated_task_sends_once(live, phones, fake_twilio_server):
    row = queued_whatsapp(phones)

    services.notifications_dispatch([(row.pk, "whatsapp"), (row.pk, "whatsapp")])

    assert wait_until(lambda: len(live.outcomes("send_whatsapp_task")) == 2)
    row.refresh_from_db()
    [message] = fake_twilio_server.messages
    assert (row.status, row.provider_id, row.attempts) == ("sent", message["sid"], 1)
    assert live.outcomes("send_whatsapp_task") == ["sent", "not_claimed"]


def test_worker_temporary_faults_are_retried_with_backoff_then_sent_once(
    live, phones, fake_twilio_server
):
    fake_twilio_server.script(error(503, 20503), error(500, 20500))
    row = queued_whatsapp(phones)
    started = time.monotonic()

    services.notifications_dispatch([(row.pk, "whatsapp")])

    assert wait_until(lambda: live.outcomes("send_whatsapp_task") == ["sent"])
    elapsed = time.monotonic() - started
    row.refresh_from_db()
    [message] = fake_twilio_server.messages
    assert len(fake_twilio_server.requests) == 3
    assert (row.status, row.provider_id, row.attempts) == ("sent", message["sid"], 3)
    # Two retries through the broker, 0.5 s then 1 s later.
    assert live.log().count("Retry in ") == 2
    assert elapsed >= 3 * RETRY_BASE_SECONDS


def test_worker_permanent_fault_is_recorded_and_not_retried(
    live, phones, fake_twilio_server
):
    fake_twilio_server.invalid_numbers.add(CUSTOMER_PHONE)
    row = queued_whatsapp(phones)

    services.notifications_dispatch([(row.pk, "whatsapp")])

    assert wait_until(lambda: live.outcomes("send_whatsapp_task") == ["failed"])
    time.sleep(0.5)
    row.refresh_from_db()
    assert (row.status, row.error_code, row.attempts) == ("failed", "21211", 1)
    assert len(fake_twilio_server.requests) == 1
    assert "Retry in " not in live.log()


def test_worker_reminder_scan_run_twice_sends_each_reminder_once(
    live, phones, fake_twilio_server, mail_dir
):
    # Only the two-hour reminder is still ahead, a few seconds away.
    phones.company.reminder_offsets_minutes = [24 * 60, 120]
    phones.company.save()
    service = ServiceFactory(
        company=phones.company, name="Haircut", duration_minutes=30
    )
    start = timezone.now() + timedelta(hours=2, seconds=3)
    kept = make_appointment(phones, start=start, service=service)
    services.reminders_sync(appointment=kept)
    dropped = make_appointment(
        phones, start=start + timedelta(hours=1), service=service
    )
    services.reminders_sync(appointment=dropped)
    dropped.status = "cancelled"
    dropped.save()
    services.reminders_sync(appointment=dropped)
    [reminder] = Reminder.objects.filter(status="pending")
    time.sleep(max((reminder.due_at - timezone.now()).total_seconds(), 0))

    scan_reminders_task.delay()
    scan_reminders_task.delay()  # as a second beat instance would

    assert wait_until(lambda: len(live.outcomes("scan_reminders_task")) == 2)
    assert wait_until(settled)
    time.sleep(0.5)
    assert sorted(live.outcomes("scan_reminders_task")) == ["0", "1"]
    assert live.outcomes("send_reminders_task") == ["1"]
    [message] = fake_twilio_server.messages
    assert message["to"] == CUSTOMER_TO
    assert message["body"].startswith(
        "Olá Ana Souza, lembramos do seu agendamento de Haircut"
    )
    assert emails_to(mail_dir) == ["customer@alpha.example.com"]
    assert sorted(
        Reminder.objects.values_list("appointment_id", "offset_minutes", "status")
    ) == [(kept.pk, 120, "sent"), (dropped.pk, 120, "cancelled")]
