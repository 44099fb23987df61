"""Twilio's calls to us: delivery statuses and customers' replies."""

import logging
from datetime import datetime

from django.utils import timezone

from apps.appointments.errors import CancellationWindowPassed
from apps.appointments.models import Appointment, AppointmentStatus
from apps.appointments.services import appointment_cancel
from apps.core.errors import DomainError

from ..backends.whatsapp import WHATSAPP_PREFIX
from ..delivery_status import statuses_before
from ..formatting import pick_language
from ..models import Channel, Notification, NotificationStatus
from ..rendering import Message, appointment_context, render_message
from ..replies import CANCEL, CONFIRM, parse_reply
from ..selectors import reply_target, user_by_phone
from .appointments import REPLY_NOTE

logger = logging.getLogger(__name__)

FAILED_PROVIDER_STATUSES = frozenset({"failed", "undelivered"})


def whatsapp_status_record(*, sid: str, status: str, error_code: str = "") -> int:
    """Store Twilio's delivery status on the row with that message id, if
    it moves the message forward (see `delivery_status`); returns the rows
    changed.

    The order is checked in the UPDATE itself, so two callbacks handled at
    once cannot step the status back either.
    """
    replaceable = statuses_before(status)
    if replaceable is None:
        logger.info("Unknown WhatsApp status ignored", extra={"status": status[:32]})
        return 0
    updates = {"provider_status": status, "updated_at": timezone.now()}
    if status in FAILED_PROVIDER_STATUSES:
        updates["error_code"] = (error_code or status)[:32]
    return Notification.objects.filter(
        provider_id=sid,
        channel=Channel.WHATSAPP,
        status=NotificationStatus.SENT,
        provider_status__in=replaceable,
    ).update(**updates)


def whatsapp_reply_handle(
    *, from_address: str, body: str, now: datetime | None = None
) -> Message:
    """Act on a customer's answer and say what happened.

    The reply answers the appointment of the latest WhatsApp message sent
    to the number (see `reply_target`). "Yes" acknowledges it; "no" cancels
    it through the scheduling rules, unless the company's cancellation
    notice has passed. A "no" to an appointment already cancelled, such as
    Twilio redelivering the reply, answers again and changes nothing. The
    answer is in the customer's language, else the company's.
    """
    now = now or timezone.now()
    phone = from_address.removeprefix(WHATSAPP_PREFIX)
    appointment = reply_target(phone=phone, now=now)
    intent = parse_reply(body)
    is_cancelled = (
        appointment is not None and appointment.status == AppointmentStatus.CANCELLED
    )
    if appointment is None or (is_cancelled and intent != CANCEL):
        return render_message("reply_no_appointment", _unknown_language(phone), {})

    customer = appointment.customer
    language = pick_language(customer.language, appointment.company.language)
    if is_cancelled:
        name = "reply_cancelled"
    elif intent == CONFIRM:
        name = (
            "reply_confirmed"
            if appointment.status == AppointmentStatus.CONFIRMED
            else "reply_pending"
        )
    elif intent == CANCEL:
        name = _cancel_by_reply(appointment, now=now)
    else:
        name = "reply_not_understood"
    context = appointment_context(
        appointment, recipient=customer, language=language, channel=Channel.WHATSAPP
    )
    notice = appointment.company.cancellation_notice_minutes
    context["notice_hours"] = f"{notice / 60:g}"
    return render_message(name, language, context)


def _unknown_language(phone: str) -> str:
    """The language to answer a number with no appointment to act on: its
    user's, else the language of the user's company."""
    user = user_by_phone(phone)
    if user is None:
        return pick_language(None)
    membership = user.memberships.select_related("company").order_by("pk").first()
    return pick_language(
        user.language, membership.company.language if membership else None
    )


def _cancel_by_reply(appointment: Appointment, *, now: datetime) -> str:
    """Cancel as the customer through the scheduling rules; the template name."""
    try:
        appointment_cancel(
            appointment=appointment, by=appointment.customer, reason=REPLY_NOTE, now=now
        )
    except CancellationWindowPassed:
        return "reply_too_late"
    except DomainError as exc:
        appointment.refresh_from_db(fields=["status"])
        if appointment.status == AppointmentStatus.CANCELLED:
            # A copy of the same reply, delivered at the same moment, won.
            return "reply_cancelled"
        logger.info(
            "Cancellation by WhatsApp refused",
            extra={"appointment_id": appointment.pk, "code": exc.code},
        )
        return "reply_not_understood"
    return "reply_cancelled"
