"""Reminder rows: kept in step with appointments, sent by a periodic scan.

No reminder is ever a broker message with a far-future ETA: RabbitMQ's
consumer timeout would kill it and a restart would lose it. Rows wait in
the database; the scan claims the due ones and hands them to workers in
batches, which write their outbox rows.
"""

import logging
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from apps.appointments.models import Appointment, AppointmentStatus

from ..models import Reminder, ReminderStatus
from ..rendering import appointment_context, appointment_data
from .outbox import Draft, outbox_write

logger = logging.getLogger(__name__)

# Reminders claimed per transaction by the scan: two statements that lock
# the rows for a fraction of a second, and one commit for thousands of rows.
REMINDER_CLAIM_SIZE = 5000
# Reminders per task. A task takes a few seconds (up to three rendered rows
# and two send tasks per reminder), far inside RabbitMQ's consumer timeout,
# and a backlog spreads over every worker process.
REMINDER_BATCH_SIZE = 500


def reminders_sync(*, appointment: Appointment, now: datetime | None = None) -> None:
    """Make the appointment's pending reminders match its start and status.

    A confirmed appointment gets one row per company offset whose time has
    not passed yet, so one booked inside a window gets only the later ones.
    A pending request gets none until it is confirmed: a reminder asks the
    customer to confirm, which would read as an approval nobody gave. A
    reschedule replaces rows for the old start; an appointment that is no
    longer confirmed has its rows cancelled.
    """
    now = now or timezone.now()
    pending = Reminder.objects.filter(
        appointment=appointment, status=ReminderStatus.PENDING
    )
    wanted: set[tuple[int, datetime]] = set()
    if appointment.status == AppointmentStatus.CONFIRMED:
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
    """Hand every due reminder to a worker; returns how many were claimed.

    The periodic scan. Due `pending` rows are claimed in chunks with
    `SELECT … FOR UPDATE SKIP LOCKED` and moved to `queued` in one short
    transaction each, and their `send_reminders_task`s (a batch each) are
    published after the commit, so two scans that overlap split the work
    and no row is handed over twice.
    The scan never renders or sends: the tasks do, in parallel, so a backlog
    of any size is claimed in seconds. Batches queued longer than
    `NOTIFICATIONS_STUCK_AFTER_MINUTES` ago, whose task was lost (say the
    broker was down), are handed over again.
    """
    now = now or timezone.now()
    claimed = _claim_in_chunks(
        {"status": ReminderStatus.PENDING, "due_at__lte": now},
        order="due_at",
        changes={"status": ReminderStatus.QUEUED, "queued_at": now},
        now=now,
    )
    cutoff = now - timedelta(minutes=settings.NOTIFICATIONS_STUCK_AFTER_MINUTES)
    requeued = _claim_in_chunks(
        {"status": ReminderStatus.QUEUED, "queued_at__lte": cutoff},
        order="queued_at",
        changes={"queued_at": now},
        now=now,
    )
    if claimed or requeued:
        logger.info(
            "Reminders handed to workers",
            extra={"count": claimed, "requeued": requeued},
        )
    return claimed


def _claim_in_chunks(lookup: dict, *, order: str, changes: dict, now: datetime) -> int:
    """Claim the rows matching `lookup`, a chunk per short transaction.

    Each chunk is locked with SKIP LOCKED, changed and handed over on its
    commit, so a concurrent scan takes other rows. Returns how many.
    """
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Reminder.objects.select_for_update(skip_locked=True)
                .filter(**lookup)
                .order_by(order, "pk")
                .values_list("pk", flat=True)[:REMINDER_CLAIM_SIZE]
            )
            if not ids:
                return total
            Reminder.objects.filter(pk__in=ids).update(**changes, updated_at=now)
            hand_over_on_commit(ids)
        total += len(ids)


def hand_over_on_commit(reminder_ids: list[int]) -> None:
    """Publish the claimed rows' tasks, a batch each, once the claim commits."""
    transaction.on_commit(partial(_hand_over, reminder_ids), robust=True)


def _hand_over(reminder_ids: list[int]) -> None:
    from ..tasks import send_reminders_task

    for start in range(0, len(reminder_ids), REMINDER_BATCH_SIZE):
        batch = reminder_ids[start : start + REMINDER_BATCH_SIZE]
        try:
            send_reminders_task.delay(batch)
        except (OperationalError, OSError) as exc:
            logger.warning(
                "Broker unavailable; reminders stay queued for the next scans",
                extra={
                    "count": len(reminder_ids) - start,
                    "error": type(exc).__name__,
                },
            )
            return


def reminders_send(*, reminder_ids: list[int], now: datetime | None = None) -> int:
    """Write the outbox rows of queued reminders; returns how many were sent.

    The rows are locked (`SKIP LOCKED`) and marked in the transaction that
    writes their outbox rows, so a task run twice, or beside the same batch
    handed over again, sends none twice. A reminder whose appointment is no
    longer live, has started or has moved since is marked skipped.
    """
    now = now or timezone.now()
    with transaction.atomic():
        batch = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=reminder_ids, status=ReminderStatus.QUEUED)
            .select_related(
                "appointment__company",
                "appointment__service",
                "appointment__actor",
                "appointment__customer",
            )
            .order_by("due_at", "pk")
        )
        due = [row for row in batch if _still_due(row, now)]
        outbox_write([_draft(row) for row in due], now=now)
        due_ids = {row.pk for row in due}
        Reminder.objects.filter(pk__in=due_ids).update(
            status=ReminderStatus.SENT, processed_at=now, updated_at=now
        )
        Reminder.objects.filter(
            pk__in=[row.pk for row in batch if row.pk not in due_ids]
        ).update(status=ReminderStatus.SKIPPED, processed_at=now, updated_at=now)
    return len(due)


def _still_due(reminder: Reminder, now: datetime) -> bool:
    appointment = reminder.appointment
    start = appointment.start.astimezone(UTC)
    is_for_this_start = reminder.due_at == start - timedelta(
        minutes=reminder.offset_minutes
    )
    return appointment.is_live and start > now and is_for_this_start


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
