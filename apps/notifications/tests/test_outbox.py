from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from icalendar import Calendar

from apps.appointments.events import AppointmentEvent
from apps.notifications import flags, services
from apps.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationStatus,
    WhatsAppRecord,
)
from apps.notifications.signals import notification_created

from .conftest import CUSTOMER_PHONE, announce, make_appointment

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
START = datetime(2027, 3, 14, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo

pytestmark = pytest.mark.django_db


def calendar_attachment(sent) -> tuple[str, str, Calendar]:
    """The Content-Type, file name and parsed calendar of a sent email's
    `text/calendar` part, read back from the message as it went out."""
    parsed = message_from_bytes(sent.message().as_bytes(), policy=policy.default)
    [part] = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    return (
        part["Content-Type"],
        part.get_filename(),
        Calendar.from_ical(part.get_content()),
    )


def rows(**filters):
    return sorted(
        Notification.objects.filter(**filters).values_list(
            "recipient__email", "channel", "status"
        )
    )


@time_machine.travel(NOW, tick=False)
def test_outbox_created_event_writes_one_row_per_recipient_and_channel(
    phones, django_capture_on_commit_callbacks
):
    appointment = make_appointment(phones, start=START)

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CREATED, by=phones.customer)

    assert rows() == [
        ("actor@alpha.example.com", "email", "sent"),
        ("actor@alpha.example.com", "in_app", "sent"),
        ("actor@alpha.example.com", "whatsapp", "sent"),
        ("customer@alpha.example.com", "email", "sent"),
        ("customer@alpha.example.com", "in_app", "sent"),
        ("customer@alpha.example.com", "whatsapp", "sent"),
    ]
    customer_row = Notification.objects.get(
        recipient=phones.customer, channel="whatsapp"
    )
    assert customer_row.kind == "appointment.created"
    assert customer_row.language == "pt-br"
    assert customer_row.address == f"whatsapp:{CUSTOMER_PHONE}"
    assert customer_row.title == "Agendamento realizado"
    assert customer_row.body == (
        "Olá Ana Souza, seu agendamento de Haircut com Bruno em Alpha Co está "
        "marcado para 14/03/2027 10:00."
    )
    assert customer_row.attempts == 1
    assert customer_row.sent_at == NOW
    record = WhatsAppRecord.objects.get(notification=customer_row)
    assert customer_row.provider_id == record.sid
    assert record.to == f"whatsapp:{CUSTOMER_PHONE}"
    assert record.body == customer_row.body


@time_machine.travel(NOW, tick=False)
def test_outbox_english_recipient_reads_new_york_time_in_english(
    phones, django_capture_on_commit_callbacks
):
    phones.company.timezone = "America/New_York"
    phones.company.save()
    phones.customer.language = "en"
    phones.customer.save()
    appointment = make_appointment(phones, start=START)

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)

    row = Notification.objects.get(recipient=phones.customer, channel="in_app")
    assert row.title == "Appointment confirmed"
    assert row.body == (
        "Hello Ana Souza, your Haircut with Bruno at Alpha Co on Mar 14, 2027 "
        "9:00 AM is confirmed."
    )
    assert row.data["details"] == {
        "service": "Haircut",
        "actor": "Bruno",
        "when": "Mar 14, 2027 9:00 AM",
    }


@time_machine.travel(NOW, tick=False)
def test_outbox_request_goes_to_actor_admin_and_manager(
    phones, django_capture_on_commit_callbacks
):
    appointment = make_appointment(phones, start=START, status="pending")

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.REQUESTED, by=phones.customer)

    assert sorted(
        set(Notification.objects.values_list("recipient__email", flat=True))
    ) == [
        "actor@alpha.example.com",
        "admin@alpha.example.com",
        "manager@alpha.example.com",
    ]
    row = Notification.objects.get(recipient=phones.manager, channel="in_app")
    assert row.title == "Nova solicitação de agendamento"
    assert row.body == (
        "Ana Souza pediu Haircut com Bruno em 14/03/2027 10:00. Confirme ou "
        "recuse na agenda de Alpha Co."
    )


@time_machine.travel(NOW, tick=False)
def test_outbox_staff_are_not_told_of_their_own_action(
    phones, django_capture_on_commit_callbacks
):
    appointment = make_appointment(phones, start=START)

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CANCELLED, by=phones.actor_user)

    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {
        "customer@alpha.example.com"
    }


@time_machine.travel(NOW, tick=False)
def test_outbox_the_same_event_twice_writes_and_sends_once(
    phones, django_capture_on_commit_callbacks
):
    appointment = make_appointment(phones, start=START)

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)
        announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)

    assert Notification.objects.count() == 6
    assert WhatsAppRecord.objects.count() == 2
    assert len(mail.outbox) == 2


@time_machine.travel(NOW, tick=False)
def test_outbox_a_second_reschedule_is_a_new_event(
    phones, django_capture_on_commit_callbacks
):
    appointment = make_appointment(phones, start=START)
    first_start = appointment.start

    with django_capture_on_commit_callbacks(execute=True):
        appointment.start = START + timedelta(hours=1)
        announce(
            appointment,
            AppointmentEvent.RESCHEDULED,
            by=phones.manager,
            previous={"status": "confirmed", "start": first_start},
        )
        appointment.start = START + timedelta(hours=2)
        announce(
            appointment,
            AppointmentEvent.RESCHEDULED,
            by=phones.manager,
            previous={"status": "confirmed", "start": first_start + timedelta(hours=1)},
        )

    bodies = list(
        Notification.objects.filter(recipient=phones.customer, channel="in_app")
        .order_by("pk")
        .values_list("body", flat=True)
    )
    assert bodies == [
        "Olá Ana Souza, seu agendamento de Haircut com Bruno em Alpha Co foi "
        "remarcado de 14/03/2027 10:00 para 14/03/2027 11:00.",
        "Olá Ana Souza, seu agendamento de Haircut com Bruno em Alpha Co foi "
        "remarcado de 14/03/2027 11:00 para 14/03/2027 12:00.",
    ]


@time_machine.travel(NOW, tick=False)
def test_outbox_rolled_back_change_writes_and_sends_nothing(
    phones, django_capture_on_commit_callbacks
):
    appointment = make_appointment(phones, start=START)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)
            raise RuntimeError("booking failed")

    assert Notification.objects.count() == 0
    assert callbacks == []
    assert WhatsAppRecord.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_outbox_preferences_switch_channels_off(
    phones, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(
        user=phones.customer, whatsapp=False, email=False
    )
    appointment = make_appointment(phones, start=START)

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)

    assert rows(recipient=phones.customer) == [
        ("customer@alpha.example.com", "in_app", "sent")
    ]


@time_machine.travel(NOW, tick=False)
def test_outbox_company_flag_switches_whatsapp_off(
    phones, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(
        flags, "is_enabled", lambda name, **kwargs: name != flags.WHATSAPP
    )
    appointment = make_appointment(phones, start=START)

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)

    assert rows(recipient=phones.customer) == [
        ("customer@alpha.example.com", "email", "sent"),
        ("customer@alpha.example.com", "in_app", "sent"),
    ]


@time_machine.travel(NOW, tick=False)
def test_outbox_invalid_number_is_recorded_as_skipped(
    phones, django_capture_on_commit_callbacks
):
    phones.customer.phone = "+551100"
    phones.customer.save()
    appointment = make_appointment(phones, start=START)

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)

    row = Notification.objects.get(recipient=phones.customer, channel="whatsapp")
    assert (row.status, row.error_code, row.address) == (
        "skipped",
        "invalid_number",
        "",
    )
    assert WhatsAppRecord.objects.filter(to__contains="551100").count() == 0


@time_machine.travel(NOW, tick=False)
def test_outbox_in_app_rows_are_announced_after_commit(
    phones, django_capture_on_commit_callbacks
):
    seen = []

    def listener(sender, notification, **kwargs):
        seen.append((notification.recipient_id, notification.kind))

    notification_created.connect(listener)
    appointment = make_appointment(phones, start=START)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)
            assert seen == []
        for callback in callbacks:
            callback()
    finally:
        notification_created.disconnect(listener)

    assert sorted(seen) == sorted(
        [
            (phones.customer.pk, "appointment.confirmed"),
            (phones.actor_user.pk, "appointment.confirmed"),
        ]
    )


@time_machine.travel(NOW, tick=False)
def test_outbox_confirmation_email_has_text_html_and_invitation(
    phones, django_capture_on_commit_callbacks
):
    appointment = make_appointment(phones, start=START)

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)

    email = next(m for m in mail.outbox if m.to == ["customer@alpha.example.com"])
    assert email.subject == "Agendamento confirmado"
    assert email.body == (
        "Agendamento confirmado\n\n"
        "Olá Ana Souza, seu agendamento de Haircut com Bruno em Alpha Co no dia "
        "14/03/2027 10:00 está confirmado.\n\n"
        "Serviço: Haircut\nCom: Bruno\nQuando: 14/03/2027 10:00\n\n"
        "O convite anexo adiciona este agendamento à sua agenda.\n\n"
        "Alpha Co\n"
    )
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert '<h1 style="font-size: 20px;">Agendamento confirmado</h1>' in html
    content_type, filename, calendar = calendar_attachment(email)
    assert content_type == 'text/calendar; charset="utf-8"; method="PUBLISH"'
    assert filename == "invite.ics"
    [event] = calendar.events
    assert calendar["METHOD"] == "PUBLISH"
    assert event["UID"] == f"appointment-{appointment.pk}@localhost"
    assert event["SEQUENCE"] == int(NOW.timestamp())
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=30)
    assert event["ORGANIZER"] == "mailto:no-reply@localhost"
    assert "STATUS" not in event
    assert email.extra_headers["Message-ID"] == (
        f"<appointment.{appointment.pk}.confirmed.{int(START.timestamp())}.0."
        f"{phones.customer.pk}.email@localhost>"
    )


@time_machine.travel(NOW, tick=False)
def test_outbox_cancellation_email_has_no_invitation(
    phones, django_capture_on_commit_callbacks
):
    appointment = make_appointment(phones, start=START)

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CANCELLED, by=phones.manager)

    email = next(m for m in mail.outbox if m.to == ["customer@alpha.example.com"])
    assert email.subject == "Agendamento cancelado"
    assert email.attachments == []
    assert "O arquivo anexo" not in email.body


@pytest.mark.parametrize(
    ("invited", "withdrawn", "status"),
    [
        (AppointmentEvent.CONFIRMED, AppointmentEvent.CANCELLED, "confirmed"),
        (AppointmentEvent.RESCHEDULED, AppointmentEvent.REJECTED, "pending"),
    ],
)
def test_outbox_ending_an_invited_appointment_emails_a_calendar_cancellation(
    phones, django_capture_on_commit_callbacks, invited, withdrawn, status
):
    with time_machine.travel(NOW, tick=False):
        appointment = make_appointment(phones, start=START, status=status)
        with django_capture_on_commit_callbacks(execute=True):
            announce(appointment, invited, by=phones.manager)
    later = NOW + timedelta(hours=2)
    mail.outbox.clear()

    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            announce(appointment, withdrawn, by=phones.manager)

    email = next(m for m in mail.outbox if m.to == ["customer@alpha.example.com"])
    content_type, filename, calendar = calendar_attachment(email)
    assert content_type == 'text/calendar; charset="utf-8"; method="CANCEL"'
    assert filename == "invite.ics"
    [event] = calendar.events
    assert calendar["METHOD"] == "CANCEL"
    assert event["UID"] == f"appointment-{appointment.pk}@localhost"
    assert event["SEQUENCE"] == int(later.timestamp())
    assert event["STATUS"] == "CANCELLED"
    assert event["ATTENDEE"] == "mailto:customer@alpha.example.com"
    assert event.decoded("DTSTART") == START
    assert email.body.endswith(
        "O arquivo anexo remove este agendamento da sua agenda.\n\nAlpha Co\n"
    )


@time_machine.travel(NOW, tick=False)
def test_outbox_cancellation_in_the_second_of_its_invitation_still_outranks_it(
    phones, django_capture_on_commit_callbacks
):
    appointment = make_appointment(phones, start=START)
    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CANCELLED, by=phones.manager)

    email = next(m for m in mail.outbox if m.to == ["customer@alpha.example.com"])
    _content_type, _filename, calendar = calendar_attachment(email)
    [event] = calendar.events
    assert event["SEQUENCE"] == int(NOW.timestamp()) + 1


@time_machine.travel(NOW, tick=False)
def test_notification_send_a_duplicated_task_sends_once(
    phones, django_capture_on_commit_callbacks
):
    appointment = make_appointment(phones, start=START)
    with django_capture_on_commit_callbacks(execute=True):
        announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)
    row = Notification.objects.get(recipient=phones.customer, channel="whatsapp")

    again = services.notification_send(notification_id=row.pk)

    assert again.outcome == "not_claimed"
    assert WhatsAppRecord.objects.filter(notification=row).count() == 1


def test_notifications_redispatch_stuck_hands_over_old_queued_rows(
    phones, django_capture_on_commit_callbacks, monkeypatch
):
    appointment = make_appointment(phones, start=START)
    handed = []
    monkeypatch.setattr(
        "apps.notifications.services.outbox.notifications_dispatch",
        lambda rows: handed.extend(rows),
    )
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)
    monkeypatch.undo()
    queued = sorted(
        Notification.objects.filter(status="queued").values_list("pk", "channel")
    )

    with time_machine.travel(NOW + timedelta(minutes=4), tick=False):
        early = services.notifications_redispatch_stuck()
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            late = services.notifications_redispatch_stuck()

    assert sorted(handed) == queued
    assert len(queued) == 4
    assert (early, late) == (0, 4)
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 6


def test_notifications_cleanup_deletes_rows_past_retention(
    phones, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATIONS_RETENTION_DAYS = 30
    appointment = make_appointment(phones, start=START)
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            announce(appointment, AppointmentEvent.CONFIRMED, by=phones.manager)
    with time_machine.travel(NOW + timedelta(days=20), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            announce(appointment, AppointmentEvent.CANCELLED, by=phones.manager)

    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        deleted = services.notifications_cleanup()

    assert deleted == 6
    assert set(Notification.objects.values_list("kind", flat=True)) == {
        "appointment.cancelled"
    }
    assert WhatsAppRecord.objects.count() == 2
