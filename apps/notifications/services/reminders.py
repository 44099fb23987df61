"""Reminder rows: kept in step with appointments, sent by a periodic scan.

No reminder is ever a broker message with a far-future ETA: RabbitMQ's
consumer timeout would kill it and a restart would lose it. Rows wait in
the database and the scan claims the due ones.
"""

import logging
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.appointments.models import Appointment

from ..models import Reminder, ReminderStatus
from ..rendering import appointment_context, appointment_data
from .outbox import Draft, outbox_write

logger = logging.getLogger(__name__)

# Due reminders claimed per transaction. Each becomes up to three outbox
# rows, so a batch is a few thousand inserts: short enough to keep row locks
# brief, long enough that the per-batch queries stay a small share.
REMINDER_BATCH_SIZE = 500


def reminders_sync(*, appointment: Appointment, now: datetime | None = None) -> None:
    """Make the appointment's pending reminders match its start and status.

    A live appointment gets one row per company offset whose time has not
    passed yet, so one booked inside a window gets only the later ones. A
    reschedule replaces rows for the old start; an appointment that is no
    longer live has its rows cancelled.
    """
    now = now or timezone.now()
    pending = Reminder.objects.filter(
        appointment=appointment, status=ReminderStatus.PENDING
    )
    wanted: set[tuple[int, datetime]] = set()
    if appointment.is_live:
        # Arithmetic on a datetime in a zone with DST is wall-clock
        # arithmetic in Python; "24 hours before" is meant in real time.
        start = appointment.start.astimezone(UTC)
        for offset in set(appointment.company.reminder_offsets_minutes or []):
            due_at = start - timedelta(minutes=offset)
            if due_at > now:
                wanted.add((offset, due_at))

    existing = {(row.offset_minutes, row.due_at): row.pk for row in pending}
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        Reminder.objects.filter(pk__in=stale).update(
            status=ReminderStatus.CANCELLED, processed_at=now, updated_at=now
        )
    Reminder.objects.bulk_create(
        [
            Reminder(
                company_id=appointment.company_id,
                appointment=appointment,
                offset_minutes=offset,
                due_at=due_at,
            )
            for offset, due_at in sorted(wanted - existing.keys())
        ]
    )


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Turn every due reminder into outbox rows; returns how many were sent.

    Each batch is claimed with `SELECT … FOR UPDATE SKIP LOCKED` and marked
    in the same transaction that writes its outbox rows, so two scans that
    overlap split the work and none is sent twice. A reminder whose
    appointment is no longer live or has started is marked skipped.
    """
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=ReminderStatus.PENDING, due_at__lte=now)
                .select_related(
                    "appointment__company",
                    "appointment__service",
                    "appointment__actor",
                    "appointment__customer",
                )
                .order_by("due_at", "pk")[:REMINDER_BATCH_SIZE]
            )
            if not batch:
                break
            due = [row for row in batch if _still_due(row, now)]
            outbox_write([_draft(row) for row in due], now=now)
            due_ids = {row.pk for row in due}
            Reminder.objects.filter(pk__in=due_ids).update(
                status=ReminderStatus.SENT, processed_at=now, updated_at=now
            )
            Reminder.objects.filter(
                pk__in=[row.pk for row in batch if row.pk not in due_ids]
            ).update(status=ReminderStatus.SKIPPED, processed_at=now, updated_at=now)
        sent += len(due)
    if sent:
        logger.info("Reminders sent", extra={"count": sent})
    return sent


def _still_due(reminder: Reminder, now: datetime) -> bool:
    appointment = reminder.appointment
    return appointment.is_live and appointment.start > now


def _draft(reminder: Reminder) -> Draft:
    appointment = reminder.appointment
    return Draft(
        event_key=f"reminder:{reminder.pk}",
        kind="appointment.reminder",
        template="appointment_reminder",
        company=appointment.company,
        recipients=[appointment.customer],
        appointment_id=appointment.pk,
        is_reminder=True,
        context=lambda user, language, channel: appointment_context(
            appointment, recipient=user, language=language, channel=channel
        ),
        data=lambda user, language: {
            **appointment_data(appointment, event="reminder", language=language),
            "offset_minutes": reminder.offset_minutes,
        },
    )
