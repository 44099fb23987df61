from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from kombu.exceptions import OperationalError

from apps.appointments.events import AppointmentEvent
from apps.appointments.models import AppointmentHistory
from apps.notifications import flags, services
from apps.notifications.models import Notification, NotificationPreference, Reminder
from apps.notifications.services import reminders as reminder_services
from apps.notifications.tasks import send_reminders_task

from .conftest import announce, make_appointment

pytestmark = pytest.mark.django_db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")
BOOKED_AT = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def book(tenant, start, *, status="confirmed", event=AppointmentEvent.CREATED):
    with time_machine.travel(BOOKED_AT, tick=False):
        appointment = make_appointment(tenant, start=start, status=status)
        announce(appointment, event, by=tenant.manager)
    return appointment


def pending_reminders(appointment):
    return sorted(
        Reminder.objects.filter(appointment=appointment, status="pending").values_list(
            "offset_minutes", "due_at"
        )
    )


@pytest.fixture
def scan_at(django_capture_on_commit_callbacks):
    """The scan at `moment`; returns how many reminders it claimed.

    The batch tasks it publishes on commit run (eagerly) at the same moment.
    """

    def scan(moment):
        with time_machine.travel(moment, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                return services.reminders_send_due()

    return scan


def reminder_rows(channel="whatsapp"):
    return list(
        Notification.objects.filter(kind="appointment.reminder", channel=channel)
        .order_by("pk")
        .values_list("recipient__email", "body")
    )


def test_reminders_sync_writes_one_row_per_company_offset(phones):
    start = datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO)

    appointment = book(phones, start)

    assert pending_reminders(appointment) == [
        (120, datetime(2027, 3, 15, 8, 0, tzinfo=SAO_PAULO)),
        (1440, datetime(2027, 3, 14, 10, 0, tzinfo=SAO_PAULO)),
    ]


def test_reminders_sync_inside_the_window_keeps_only_later_reminders(phones):
    start = BOOKED_AT + timedelta(hours=3)

    appointment = book(phones, start)

    assert pending_reminders(appointment) == [(120, start - timedelta(hours=2))]


def test_reminders_sync_reschedule_replaces_the_rows(phones):
    start = datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO)
    appointment = book(phones, start)

    with time_machine.travel(BOOKED_AT, tick=False):
        appointment.start = start + timedelta(days=1)
        announce(
            appointment,
            AppointmentEvent.RESCHEDULED,
            by=phones.manager,
            previous={"status": "confirmed", "start": start},
        )

    assert pending_reminders(appointment) == [
        (120, datetime(2027, 3, 16, 8, 0, tzinfo=SAO_PAULO)),
        (1440, datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO)),
    ]
    assert (
        Reminder.objects.filter(appointment=appointment, status="cancelled").count()
        == 2
    )


def test_reminders_sync_cancel_cancels_the_rows(phones):
    appointment = book(phones, datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO))

    with time_machine.travel(BOOKED_AT, tick=False):
        appointment.status = "cancelled"
        appointment.save()
        announce(appointment, AppointmentEvent.CANCELLED, by=phones.manager)

    assert pending_reminders(appointment) == []
    assert sorted(
        Reminder.objects.filter(appointment=appointment).values_list(
            "status", flat=True
        )
    ) == ["cancelled", "cancelled"]


def test_reminders_sync_waits_for_a_request_to_be_confirmed(phones):
    start = datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO)
    appointment = book(
        phones, start, status="pending", event=AppointmentEvent.REQUESTED
    )
    requested = pending_reminders(appointment)

    with time_machine.travel(BOOKED_AT, tick=False):
        appointment.status = "confirmed"
        appointment.save()
        announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)

    assert requested == []
    assert pending_reminders(appointment) == [
        (120, datetime(2027, 3, 15, 8, 0, tzinfo=SAO_PAULO)),
        (1440, datetime(2027, 3, 14, 10, 0, tzinfo=SAO_PAULO)),
    ]


def test_reminders_send_due_at_exact_local_times_in_sao_paulo(phones, scan_at):
    start = datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO)
    book(phones, start)
    day_before = datetime(2027, 3, 14, 10, 0, tzinfo=SAO_PAULO)
    two_hours_before = datetime(2027, 3, 15, 8, 0, tzinfo=SAO_PAULO)

    counts = [
        scan_at(day_before - timedelta(seconds=1)),
        scan_at(day_before),
        scan_at(two_hours_before - timedelta(seconds=1)),
        scan_at(two_hours_before),
    ]

    assert counts == [0, 1, 0, 1]
    body = (
        "Olá Ana Souza, lembramos do seu agendamento de Haircut com Bruno em "
        "Alpha Co no dia 15/03/2027 10:00. Responda 1 (SIM) para confirmar ou 2 "
        "(CANCELAR) para cancelar."
    )
    assert reminder_rows() == [
        ("customer@alpha.example.com", body),
        ("customer@alpha.example.com", body),
    ]
    assert list(
        Notification.objects.filter(kind="appointment.reminder")
        .order_by("pk")
        .values_list("channel", "status", "created_at")
    ) == [
        ("in_app", "sent", day_before),
        ("whatsapp", "sent", day_before),
        ("email", "sent", day_before),
        ("in_app", "sent", two_hours_before),
        ("whatsapp", "sent", two_hours_before),
        ("email", "sent", two_hours_before),
    ]


def test_reminders_send_due_at_exact_local_times_in_new_york_across_dst(
    phones, scan_at
):
    # Clocks in New York move forward at 02:00 on 14 March 2027: the reminder
    # 24 hours before 10:00 EDT on the 14th is 09:00 EST on the 13th.
    phones.company.timezone = "America/New_York"
    phones.company.save()
    phones.customer.language = "en"
    phones.customer.save()
    start = datetime(2027, 3, 14, 10, 0, tzinfo=NEW_YORK)
    appointment = book(phones, start)

    counts = [
        scan_at(datetime(2027, 3, 13, 8, 59, 59, tzinfo=NEW_YORK)),
        scan_at(datetime(2027, 3, 13, 9, 0, tzinfo=NEW_YORK)),
        scan_at(datetime(2027, 3, 14, 7, 59, 59, tzinfo=NEW_YORK)),
        scan_at(datetime(2027, 3, 14, 8, 0, tzinfo=NEW_YORK)),
    ]

    assert counts == [0, 1, 0, 1]
    assert pending_reminders(appointment) == []
    body = (
        "Hello Ana Souza, this is a reminder of your Haircut with Bruno at Alpha Co "
        "on Mar 14, 2027 10:00 AM. Reply 1 (YES) to confirm or 2 (CANCEL) to cancel."
    )
    assert reminder_rows() == [
        ("customer@alpha.example.com", body),
        ("customer@alpha.example.com", body),
    ]
    in_app = (
        Notification.objects.filter(kind="appointment.reminder", channel="in_app")
        .order_by("pk")
        .first()
    )
    assert in_app.body == (
        "Hello Ana Souza, this is a reminder of your Haircut with Bruno at Alpha Co "
        "on Mar 14, 2027 10:00 AM."
    )
    assert in_app.data["offset_minutes"] == 1440


def test_reminders_send_due_twice_sends_each_once(phones, scan_at):
    book(phones, datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO))
    due = datetime(2027, 3, 15, 8, 30, tzinfo=SAO_PAULO)

    counts = [scan_at(due), scan_at(due)]

    assert counts == [2, 0]
    assert Notification.objects.filter(kind="appointment.reminder").count() == 6


def test_reminders_send_due_none_for_cancelled_appointments(phones, scan_at):
    appointment = book(phones, datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO))
    with time_machine.travel(BOOKED_AT, tick=False):
        appointment.status = "cancelled"
        appointment.save()
        announce(appointment, AppointmentEvent.CANCELLED, by=phones.manager)

    sent = scan_at(datetime(2027, 3, 15, 9, 0, tzinfo=SAO_PAULO))

    assert sent == 0
    assert Notification.objects.filter(kind="appointment.reminder").count() == 0


def test_reminders_send_due_skips_an_appointment_no_longer_live(phones, scan_at):
    appointment = book(phones, datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO))
    # Changed without the signal, as a data fix in the admin would.
    appointment.status = "completed"
    appointment.save()

    claimed = scan_at(datetime(2027, 3, 15, 9, 0, tzinfo=SAO_PAULO))

    assert claimed == 2
    assert Notification.objects.filter(kind="appointment.reminder").count() == 0
    assert sorted(
        Reminder.objects.filter(appointment=appointment).values_list(
            "status", flat=True
        )
    ) == ["skipped", "skipped"]


def test_reminders_send_due_honours_preference_and_flag(phones, scan_at, monkeypatch):
    book(phones, datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO))
    NotificationPreference.objects.create(user=phones.customer, reminders=False)

    sent = scan_at(datetime(2027, 3, 15, 9, 0, tzinfo=SAO_PAULO))

    assert sent == 2
    assert Notification.objects.filter(kind="appointment.reminder").count() == 0

    NotificationPreference.objects.filter(user=phones.customer).update(reminders=True)
    monkeypatch.setattr(
        flags, "is_enabled", lambda name, **kwargs: name != flags.REMINDERS
    )
    book(phones, datetime(2027, 3, 16, 10, 0, tzinfo=SAO_PAULO))
    scan_at(datetime(2027, 3, 16, 9, 0, tzinfo=SAO_PAULO))
    assert Notification.objects.filter(kind="appointment.reminder").count() == 0


def test_appointment_requests_reject_expired_after_the_deadline(
    phones, django_capture_on_commit_callbacks
):
    phones.company.approval_deadline_minutes = 60
    phones.company.save()
    start = datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO)
    appointment = book(
        phones, start, status="pending", event=AppointmentEvent.REQUESTED
    )

    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(BOOKED_AT + timedelta(minutes=59), tick=False):
            early = services.appointment_requests_reject_expired()
        with time_machine.travel(BOOKED_AT + timedelta(minutes=60), tick=False):
            on_time = services.appointment_requests_reject_expired()

    appointment.refresh_from_db()
    assert (early, on_time, appointment.status) == (0, 1, "rejected")
    history = AppointmentHistory.objects.filter(appointment=appointment).last()
    assert (history.by, history.from_status, history.to_status, history.note) == (
        None,
        "pending",
        "rejected",
        "auto-rejected",
    )
    told = Notification.objects.get(
        recipient=phones.customer, kind="appointment.rejected", channel="whatsapp"
    )
    assert told.body == (
        "Olá Ana Souza, Alpha Co não pôde aceitar seu pedido de Haircut em "
        "15/03/2027 10:00. O pedido não foi respondido a tempo. Escolha outro "
        "horário quando quiser."
    )
    assert told.status == "sent"
    assert pending_reminders(appointment) == []


def test_appointment_requests_reject_expired_at_the_start(phones):
    phones.company.approval_deadline_minutes = 7 * 24 * 60
    phones.company.save()
    start = datetime(2027, 3, 2, 10, 0, tzinfo=SAO_PAULO)
    appointment = book(
        phones, start, status="pending", event=AppointmentEvent.REQUESTED
    )
    confirmed = book(phones, start + timedelta(hours=2))

    with time_machine.travel(start - timedelta(seconds=1), tick=False):
        early = services.appointment_requests_reject_expired()
    with time_machine.travel(start, tick=False):
        on_time = services.appointment_requests_reject_expired()

    appointment.refresh_from_db()
    confirmed.refresh_from_db()
    assert (early, on_time) == (0, 1)
    assert (appointment.status, confirmed.status) == ("rejected", "confirmed")


def claim_without_handing_over(monkeypatch, moment) -> list[int]:
    """The scan at `moment`, keeping the claimed ids instead of publishing."""
    handed = []
    monkeypatch.setattr(reminder_services, "hand_over_on_commit", handed.extend)
    with time_machine.travel(moment, tick=False):
        services.reminders_send_due()
    monkeypatch.undo()
    return handed


def reminder_statuses(appointment):
    return sorted(
        Reminder.objects.filter(appointment=appointment).values_list(
            "offset_minutes", "status"
        )
    )


def test_reminders_send_due_hands_a_lost_batch_over_again(
    phones, scan_at, monkeypatch, settings
):
    settings.NOTIFICATIONS_STUCK_AFTER_MINUTES = 5
    appointment = book(phones, datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO))
    due = datetime(2027, 3, 15, 8, 30, tzinfo=SAO_PAULO)

    def broker_down(reminder_ids):
        raise OperationalError("connection refused")

    monkeypatch.setattr(send_reminders_task, "delay", broker_down)
    claimed = scan_at(due)
    monkeypatch.undo()

    assert claimed == 2
    assert reminder_statuses(appointment) == [(120, "queued"), (1440, "queued")]
    assert Notification.objects.filter(kind="appointment.reminder").count() == 0

    counts = [
        scan_at(due + timedelta(minutes=4, seconds=59)),
        scan_at(due + timedelta(minutes=5)),
        scan_at(due + timedelta(minutes=10)),
    ]

    assert counts == [0, 0, 0]
    assert reminder_statuses(appointment) == [(120, "sent"), (1440, "sent")]
    assert list(
        Notification.objects.filter(kind="appointment.reminder")
        .order_by("channel")
        .values_list("channel", "status")
        .distinct()
    ) == [("email", "sent"), ("in_app", "sent"), ("whatsapp", "sent")]
    assert Notification.objects.filter(kind="appointment.reminder").count() == 6


def test_reminders_send_the_same_batch_twice_sends_once(
    phones, monkeypatch, django_capture_on_commit_callbacks
):
    appointment = book(phones, datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO))
    due = datetime(2027, 3, 15, 8, 30, tzinfo=SAO_PAULO)
    handed = claim_without_handing_over(monkeypatch, due)

    with time_machine.travel(due, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            counts = [
                services.reminders_send(reminder_ids=handed),
                services.reminders_send(reminder_ids=handed),
            ]

    assert counts == [2, 0]
    assert reminder_statuses(appointment) == [(120, "sent"), (1440, "sent")]
    assert (
        Notification.objects.filter(
            kind="appointment.reminder", channel="whatsapp", status="sent"
        ).count()
        == 2
    )


def test_reminders_send_skips_a_reminder_whose_appointment_moved_after_the_claim(
    phones, monkeypatch
):
    start = datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO)
    appointment = book(phones, start)
    due = datetime(2027, 3, 15, 8, 30, tzinfo=SAO_PAULO)
    handed = claim_without_handing_over(monkeypatch, due)
    moved = start + timedelta(days=1)
    with time_machine.travel(due, tick=False):
        type(appointment).objects.filter(pk=appointment.pk).update(
            start=moved,
            end=moved + timedelta(minutes=30),
            occupied_start=moved,
            occupied_end=moved + timedelta(minutes=30),
        )
        appointment.refresh_from_db()
        announce(
            appointment,
            AppointmentEvent.RESCHEDULED,
            by=phones.manager,
            previous={"status": "confirmed", "start": start},
        )

    with time_machine.travel(due, tick=False):
        sent = services.reminders_send(reminder_ids=handed)

    assert sent == 0
    assert Notification.objects.filter(kind="appointment.reminder").count() == 0
    assert sorted(
        Reminder.objects.filter(appointment=appointment).values_list(
            "offset_minutes", "due_at", "status"
        )
    ) == [
        (120, datetime(2027, 3, 15, 8, 0, tzinfo=SAO_PAULO), "skipped"),
        (120, datetime(2027, 3, 16, 8, 0, tzinfo=SAO_PAULO), "pending"),
        (1440, datetime(2027, 3, 14, 10, 0, tzinfo=SAO_PAULO), "skipped"),
        (1440, datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO), "pending"),
    ]


def test_reminders_send_due_publishes_one_task_per_batch(
    phones, monkeypatch, django_capture_on_commit_callbacks
):
    book(phones, datetime(2027, 3, 15, 10, 0, tzinfo=SAO_PAULO))
    book(phones, datetime(2027, 3, 15, 11, 0, tzinfo=SAO_PAULO))
    monkeypatch.setattr(reminder_services, "REMINDER_BATCH_SIZE", 3)
    published = []
    monkeypatch.setattr(send_reminders_task, "delay", published.append)

    with time_machine.travel(datetime(2027, 3, 15, 9, 0, tzinfo=SAO_PAULO)):
        with django_capture_on_commit_callbacks(execute=True):
            claimed = services.reminders_send_due()

    assert claimed == 4
    assert [len(batch) for batch in published] == [3, 1]
    assert sorted(sum(published, [])) == sorted(
        Reminder.objects.filter(status="queued").values_list("pk", flat=True)
    )
