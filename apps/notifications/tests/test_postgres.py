"""Row locks under real concurrency: overlapping scans and duplicated sends.

Data is committed (`transaction=True`) so that each thread's own connection
sees it. `available_apps` lists every installed app only so that the flush
after each test may cascade across tables of apps with swapped models.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from apps.appointments.events import AppointmentEvent
from apps.core.tests.factories import ServiceFactory
from apps.notifications import services
from apps.notifications.models import Notification, Reminder, WhatsAppRecord
from apps.notifications.services import reminders as reminder_services

from .conftest import announce, make_appointment

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
]

BOOKED_AT = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
FIRST_START = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
# Both reminders (seven and six days ahead) of every appointment are due.
SCAN_AT = FIRST_START - timedelta(hours=1)
APPOINTMENTS = 30
BATCH = 20


def in_thread(target, results, name):
    def run():
        try:
            results[name] = target()
        except BaseException as exc:  # reported by the assertion below
            results[name] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@pytest.fixture
def booked(phones):
    phones.company.reminder_offsets_minutes = [7 * 24 * 60, 6 * 24 * 60]
    phones.company.save()
    service = ServiceFactory(
        company=phones.company, name="Haircut", duration_minutes=30
    )
    for index in range(APPOINTMENTS):
        appointment = make_appointment(
            phones, start=FIRST_START + timedelta(hours=index), service=service
        )
        reminder_services.reminders_sync(appointment=appointment, now=BOOKED_AT)
    return phones


def test_reminders_send_due_overlapping_scans_split_the_work(booked, monkeypatch):
    monkeypatch.setattr(reminder_services, "REMINDER_CLAIM_SIZE", BATCH)
    first_batch_held = threading.Event()
    release_first = threading.Event()
    real_hand_over = reminder_services.hand_over_on_commit

    def hand_over_then_wait(reminder_ids):
        real_hand_over(reminder_ids)
        if threading.current_thread().name == "first" and not first_batch_held.is_set():
            # Hold the first scan's claim transaction, and its row locks,
            # open while the second scan runs from start to end.
            first_batch_held.set()
            assert release_first.wait(20)

    monkeypatch.setattr(reminder_services, "hand_over_on_commit", hand_over_then_wait)
    results = {}

    def scan():
        return services.reminders_send_due(now=SCAN_AT)

    first = in_thread(scan, results, "first")
    assert first_batch_held.wait(20)
    second = in_thread(scan, results, "second")
    second.join(30)
    release_first.set()
    first.join(30)

    reminders = APPOINTMENTS * 2
    assert results == {"first": BATCH, "second": reminders - BATCH}
    assert Reminder.objects.filter(status="sent").count() == reminders
    assert (
        Notification.objects.filter(kind="appointment.reminder", channel="whatsapp")
        .values("key")
        .distinct()
        .count()
        == reminders
    )
    assert (
        WhatsAppRecord.objects.filter(
            body__startswith="Olá Ana Souza, lembramos"
        ).count()
        == reminders
    )


def test_reminders_send_due_twice_in_a_row_sends_none_twice(booked):
    counts = [
        services.reminders_send_due(now=SCAN_AT),
        services.reminders_send_due(now=SCAN_AT),
    ]

    assert counts == [APPOINTMENTS * 2, 0]
    assert Notification.objects.filter(kind="appointment.reminder").count() == (
        APPOINTMENTS * 2 * 3
    )


def test_reminders_send_racing_copies_of_a_batch_send_each_once(booked, monkeypatch):
    handed = []
    monkeypatch.setattr(reminder_services, "hand_over_on_commit", handed.extend)
    services.reminders_send_due(now=SCAN_AT)
    start = threading.Barrier(3)
    results = {}

    def send():
        start.wait(10)
        return services.reminders_send(reminder_ids=handed)

    threads = [in_thread(send, results, f"worker-{n}") for n in range(3)]
    for thread in threads:
        thread.join(30)

    reminders = APPOINTMENTS * 2
    assert sorted(handed) == sorted(Reminder.objects.values_list("pk", flat=True))
    assert sum(results.values()) == reminders
    assert Reminder.objects.filter(status="sent").count() == reminders
    assert (
        WhatsAppRecord.objects.filter(
            body__startswith="Olá Ana Souza, lembramos"
        ).count()
        == reminders
    )


def test_notification_send_racing_duplicates_send_once(phones, monkeypatch):
    with time_machine.travel(BOOKED_AT, tick=False):
        appointment = make_appointment(phones, start=FIRST_START)
    monkeypatch.setattr(
        "apps.notifications.services.outbox.notifications_dispatch", lambda rows: 0
    )
    announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)
    row = Notification.objects.get(recipient=phones.customer, channel="whatsapp")
    start = threading.Barrier(4)
    results = {}

    def send():
        start.wait(10)
        return services.notification_send(notification_id=row.pk).outcome

    threads = [in_thread(send, results, f"worker-{n}") for n in range(4)]
    for thread in threads:
        thread.join(30)

    assert sorted(results.values()) == [
        "not_claimed",
        "not_claimed",
        "not_claimed",
        "sent",
    ]
    assert WhatsAppRecord.objects.filter(notification=row).count() == 1
