"""Reads for the notifications app."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, QuerySet

from apps.accounts.models import User
from apps.appointments.events import AppointmentEvent
from apps.appointments.models import LIVE_STATUSES, Appointment
from apps.companies.models import MANAGING_ROLES, Membership

from .models import Channel, Notification, NotificationPreference, NotificationStatus

STAFF_EVENTS = frozenset({AppointmentEvent.REQUESTED})
CUSTOMER_EVENTS = frozenset(
    {
        AppointmentEvent.CREATED,
        AppointmentEvent.CONFIRMED,
        AppointmentEvent.REJECTED,
        AppointmentEvent.CANCELLED,
        AppointmentEvent.RESCHEDULED,
    }
)


def event_recipients(
    appointment: Appointment, event: str, by: User | None
) -> list[User]:
    """Who hears about `event`, each once.

    A request goes to the actor and the company's admins and managers; the
    other events to the customer and the actor. Staff are not told about
    their own action; the customer always gets the confirmation of theirs.
    """
    if event in STAFF_EVENTS:
        managers = User.objects.filter(
            memberships__company_id=appointment.company_id,
            memberships__role__in=MANAGING_ROLES,
            memberships__is_active=True,
            is_active=True,
        ).order_by("pk")
        candidates = [appointment.actor.user, *managers]
    elif event in CUSTOMER_EVENTS:
        candidates = [appointment.customer, appointment.actor.user]
    else:
        return []
    recipients: dict[int, User] = {}
    for user in candidates:
        is_own_staff_action = by is not None and user.pk == by.pk
        if is_own_staff_action and user.pk != appointment.customer_id:
            continue
        if user.is_active:
            recipients.setdefault(user.pk, user)
    return list(recipients.values())


def preferences_for(user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    """Saved preferences by user id; users without a row are missing."""
    rows = NotificationPreference.objects.filter(user_id__in=set(user_ids))
    return {row.user_id: row for row in rows}


def preference_get(*, user: User) -> NotificationPreference:
    """The user's preferences, or the defaults (all on) if never saved."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def notification_list(
    *, user: User, unread: bool = False, channel: str | None = Channel.IN_APP
) -> QuerySet[Notification]:
    """The user's own notifications, newest first; in-app ones by default."""
    queryset = Notification.objects.filter(recipient=user)
    if channel:
        queryset = queryset.filter(channel=channel)
    if unread:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


def invite_sequence_sent(*, notification: Notification) -> int | None:
    """The highest SEQUENCE of the calendar invitations already emailed to
    the recipient of `notification` about its appointment; None if none was."""
    if notification.appointment_id is None:
        return None
    sent = (
        Notification.objects.filter(
            appointment_id=notification.appointment_id,
            recipient_id=notification.recipient_id,
            channel=Channel.EMAIL,
            status=NotificationStatus.SENT,
            data__invite=True,
        )
        .exclude(pk=notification.pk)
        .values_list("data", flat=True)
    )
    return max((int(data.get("sequence", 0)) for data in sent), default=None)


def reply_target(*, phone: str, now: datetime) -> Appointment | None:
    """The appointment a WhatsApp reply from this number answers.

    A reply answers the latest WhatsApp message sent to the number, as the
    customer, about one of their appointments. So a customer of two
    companies, or two people sharing a phone, act on what they were asked
    about; a repeated "cancel" finds the appointment it already cancelled
    instead of the next one; and a staff member's phone, written to about
    customers' appointments, acts on none of them. When that appointment has
    started, the reply answers nothing. Only a number never written to as a
    customer falls back to its customer's next live appointment.
    """
    related = ("company", "service", "actor", "customer")
    last_message = (
        Notification.objects.filter(
            channel=Channel.WHATSAPP,
            address=f"whatsapp:{phone}",
            status=NotificationStatus.SENT,
            # Only what the customer was told: a reply from an actor's or a
            # manager's phone never acts on a customer's appointment.
            appointment__customer=F("recipient"),
            recipient__phone=phone,
        )
        .order_by("-sent_at", "-pk")
        .only("appointment_id")
        .first()
    )
    if last_message is not None:
        return (
            Appointment.objects.select_related(*related)
            .filter(pk=last_message.appointment_id, start__gt=now)
            .first()
        )
    return (
        Appointment.objects.filter(
            customer__phone=phone, status__in=LIVE_STATUSES, start__gt=now
        )
        .select_related(*related)
        .order_by("start", "id")
        .first()
    )


def user_by_phone(phone: str) -> User | None:
    return User.objects.filter(phone=phone, is_active=True).order_by("pk").first()


def managing_membership_exists(user: User, company_id: int) -> bool:
    return Membership.objects.filter(
        user=user, company_id=company_id, role__in=MANAGING_ROLES, is_active=True
    ).exists()
