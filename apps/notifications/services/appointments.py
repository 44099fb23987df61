"""What the notifications app does when an appointment changes."""

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from apps.accounts.models import User
from apps.appointments.errors import InvalidTransition
from apps.appointments.models import Appointment, AppointmentStatus
from apps.appointments.services import appointment_reject
from apps.companies.models import Company

from ..models import Channel
from ..rendering import appointment_context, appointment_data
from ..selectors import event_recipients
from .outbox import Draft, outbox_write
from .reminders import reminders_sync

logger = logging.getLogger(__name__)

AUTO_REJECT_NOTE = "auto-rejected"
# The history note of a cancellation the customer sent by WhatsApp.
REPLY_NOTE = "WhatsApp reply"
# Pending requests rejected per query by the deadline task.
AUTO_REJECT_BATCH_SIZE = 200


def appointment_event_notify(
    *,
    appointment: Appointment,
    event: str,
    by: User | None,
    previous: dict | None = None,
    note: str = "",
    now: datetime | None = None,
) -> list:
    """Write the outbox rows and reminder rows an appointment change calls for.

    Runs inside the transaction that made the change, so a rolled-back
    change leaves neither. The event key holds the start and the history row
    the change wrote, so every change is a new event (a reschedule back to
    an earlier time included) while a repeated signal for one change is not.
    """
    now = now or timezone.now()
    reminders_sync(appointment=appointment, now=now)
    recipients = event_recipients(appointment, event, by)
    if not recipients:
        return []

    change_id = appointment.history.order_by("-pk").values_list("pk", flat=True).first()
    previous_start = (previous or {}).get("start")
    is_automatic = by is None and note == AUTO_REJECT_NOTE
    by_reply = note == REPLY_NOTE and by is not None
    sequence = int(now.timestamp())
    draft = Draft(
        event_key=(
            f"appointment:{appointment.pk}:{event}:"
            f"{int(appointment.start.timestamp())}:{change_id or 0}"
        ),
        kind=f"appointment.{event}",
        template=f"appointment_{event}",
        company=appointment.company,
        recipients=recipients,
        appointment_id=appointment.pk,
        context=lambda user, language, channel: {
            **appointment_context(
                appointment,
                recipient=user,
                language=language,
                channel=channel,
                previous_start=previous_start,
                note=_shown_note(note, language, is_automatic, by_reply),
            ),
            "is_automatic": is_automatic,
        },
        data=lambda user, language: appointment_data(
            appointment, event=event, language=language, sequence=sequence
        ),
        # The reply's own answer tells the customer on WhatsApp.
        skip=frozenset({(by.pk, Channel.WHATSAPP)}) if by_reply else frozenset(),
    )
    return outbox_write([draft], now=now)


def _shown_note(note: str, language: str, is_automatic: bool, by_reply: bool) -> str:
    """The history note as a message shows it, in the recipient's language."""
    if is_automatic:
        return ""
    if by_reply:
        with translation.override(language):
            return gettext("The customer cancelled by replying on WhatsApp.")
    return note


def appointment_auto_reject(
    *, appointment_id: int, now: datetime | None = None
) -> bool:
    """Reject a request nobody answered in time; False if it was answered.

    Goes through the scheduling service as the system (`by=None`), which
    locks the row: a manager confirming at the same moment either wins (the
    request is no longer pending) or waits and loses.
    """
    appointment = Appointment.objects.filter(pk=appointment_id).first()
    if appointment is None:
        return False
    try:
        appointment_reject(
            appointment=appointment, by=None, reason=AUTO_REJECT_NOTE, now=now
        )
    except InvalidTransition:
        return False
    logger.info(
        "Pending request auto-rejected", extra={"appointment_id": appointment_id}
    )
    return True


def appointment_requests_reject_expired(*, now: datetime | None = None) -> int:
    """Reject every pending request past its company's deadline or its start.

    Companies are grouped by deadline so the cut-off is a plain timestamp
    comparison the `(status, start)` index serves on every database.
    """
    now = now or timezone.now()
    deadlines = (
        Company.objects.filter(appointments__status=AppointmentStatus.PENDING)
        .values_list("approval_deadline_minutes", flat=True)
        .distinct()
    )
    rejected = 0
    for minutes in sorted(set(deadlines)):
        expired = Appointment.objects.filter(
            Q(start__lte=now) | Q(created_at__lte=now - timedelta(minutes=minutes)),
            status=AppointmentStatus.PENDING,
            company__approval_deadline_minutes=minutes,
        ).order_by("start", "pk")
        while True:
            ids = list(expired.values_list("pk", flat=True)[:AUTO_REJECT_BATCH_SIZE])
            if not ids:
                break
            rejected += sum(
                appointment_auto_reject(appointment_id=pk, now=now) for pk in ids
            )
    return rejected
