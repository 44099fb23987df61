"""Live pushes to WebSocket clients through the channel layer.

Groups, and who joins them when a socket connects:

- `user.<id>`: every signed-in user, for their in-app notifications and
  the appointments they take part in (as the customer or the actor);
- `company.<id>.staff`: admins and managers of the company, for every
  appointment of the company;
- `company.<id>`: every member, for `availability.changed`.

Actors see only their own appointments in the REST API, so they get
appointment events through their personal group, never the staff group.
A person reached by the staff group is left out of the personal pushes of
the same event, so no socket receives an event twice. An appointment event
is rendered in the language of the people each group reaches: a personal
group in its user's language (their preference, else the company's), the
staff group in the company's, since its members may each prefer another.

A company whose `websocket_notifications` flag is off gets no pushes.
Every push leaves after the transaction that caused it commits, and a
failing channel layer (Redis down) is logged, never raised: a booking must
not fail because a browser could not be told about it.
"""

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import date
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.dispatch import receiver
from django.utils import translation

from apps.accounts.permissions import memberships
from apps.appointments.events import (
    AppointmentEvent,
    appointment_changed,
    availability_changed,
)
from apps.companies.models import MANAGING_ROLES, Membership

from . import flags
from .formatting import pick_language
from .signals import notification_created

logger = logging.getLogger(__name__)

# The consumer method a pushed message is handed to (`realtime.event` is
# dispatched to `realtime_event`).
MESSAGE_TYPE = "realtime.event"

NOTIFICATION_CREATED = "notification.created"
APPOINTMENT_CREATED = "appointment.created"
APPOINTMENT_UPDATED = "appointment.updated"
AVAILABILITY_CHANGED = "availability.changed"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def staff_group(company_id: int) -> str:
    return f"company.{company_id}.staff"


def company_group(company_id: int) -> str:
    return f"company.{company_id}"


def groups_for(user) -> list[str]:
    """The groups a socket of `user` joins, personal group first."""
    groups = [user_group(user.pk)]
    for membership in memberships(user):
        groups.append(company_group(membership.company_id))
        if membership.role in MANAGING_ROLES:
            groups.append(staff_group(membership.company_id))
    return groups


def event_text(event_type: str, data: dict) -> str:
    """The frame a client receives: `{"type", "data"}` as JSON."""
    return json.dumps({"type": event_type, "data": data}, separators=(",", ":"))


def push(groups: Iterable[str], event_type: str, data: dict) -> None:
    """Send one event to every socket in `groups` now.

    The JSON is encoded once here rather than once per socket.
    """
    text = event_text(event_type, data)
    _send([(group, text) for group in groups], event_type)


def push_localized(
    audiences: Iterable[tuple[str, str]],
    event_type: str,
    payloads: Mapping[str, dict],
) -> None:
    """Send each `(group, language)` of `audiences`, in order, the payload
    of its language now; each language's JSON is encoded once."""
    texts = {
        language: event_text(event_type, data) for language, data in payloads.items()
    }
    _send([(group, texts[language]) for group, language in audiences], event_type)


def _send(frames: list[tuple[str, str]], event_type: str) -> None:
    layer = get_channel_layer()
    if layer is None or not frames:
        return
    try:
        async_to_sync(_send_to_groups)(layer, frames)
    except Exception:
        logger.warning(
            "Live push failed", exc_info=True, extra={"event_type": event_type}
        )


async def _send_to_groups(layer, frames: list[tuple[str, str]]) -> None:
    for group, text in frames:
        await layer.group_send(group, {"type": MESSAGE_TYPE, "text": text})


def push_on_commit(groups: Iterable[str], event_type: str, data: dict) -> None:
    """`push` after the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(push, list(groups), event_type, data), robust=True)


def push_to_user(user_id: int, event_type: str, data: dict) -> None:
    push_on_commit([user_group(user_id)], event_type, data)


def push_to_company_staff(company_id: int, event_type: str, data: dict) -> None:
    push_on_commit([staff_group(company_id)], event_type, data)


def push_to_company(company_id: int, event_type: str, data: dict) -> None:
    push_on_commit([company_group(company_id)], event_type, data)


def managers_among(company_id: int, user_ids: Iterable[int]) -> set[int]:
    """Which of `user_ids` are active admins or managers of the company."""
    return set(
        Membership.objects.filter(
            company_id=company_id,
            user_id__in=list(user_ids),
            role__in=MANAGING_ROLES,
            is_active=True,
            company__is_active=True,
        ).values_list("user_id", flat=True)
    )


def is_live_for(company_id: int) -> bool:
    return flags.is_enabled(flags.WEBSOCKET, company=company_id)


def appointment_audiences(appointment) -> list[tuple[str, str]]:
    """`(group, language)` for each group an appointment event goes to.

    The staff group comes first, in the company's language; then the
    personal groups of the customer and the actor that the staff group does
    not already reach, each in its user's language.
    """
    company = appointment.company
    people = {user.pk: user for user in (appointment.customer, appointment.actor.user)}
    reached = managers_among(company.pk, people)
    audiences = [(staff_group(company.pk), pick_language(company.language))]
    for user_id in sorted(people.keys() - reached):
        language = pick_language(people[user_id].language, company.language)
        audiences.append((user_group(user_id), language))
    return audiences


def appointment_data(appointment, *, language: str) -> dict:
    """The appointment as the API shows it to a reader of `language`; the
    service's name follows the active language."""
    from apps.appointments.api.serializers import AppointmentSerializer

    with translation.override(language):
        return AppointmentSerializer(appointment).data


def notification_data(notification) -> dict:
    """The notification as `GET /api/notifications/` lists it."""
    from .api.serializers import NotificationSerializer

    return NotificationSerializer(notification).data


@receiver(appointment_changed, dispatch_uid="realtime_on_appointment_changed")
def on_appointment_changed(sender, *, appointment, event: str, **kwargs) -> None:
    """Receiver of `appointment_changed`: the appointment as it is now, to
    its staff, customer and actor, once the change commits."""
    if not is_live_for(appointment.company_id):
        return
    is_new = event in (AppointmentEvent.REQUESTED, AppointmentEvent.CREATED)
    event_type = APPOINTMENT_CREATED if is_new else APPOINTMENT_UPDATED
    audiences = appointment_audiences(appointment)
    # Rendered now, inside the transaction, so the event shows the state this
    # change produced even if a later change commits before the push leaves.
    languages = {language for _group, language in audiences}
    payloads = {
        language: appointment_data(appointment, language=language)
        for language in languages
    }
    transaction.on_commit(
        partial(push_localized, audiences, event_type, payloads), robust=True
    )


@receiver(availability_changed, dispatch_uid="realtime_on_availability_changed")
def on_availability_changed(
    sender, *, company_id: int, actor_id: int, dates: Iterable[date], **kwargs
) -> None:
    """Receiver of `availability_changed`: one event per actor and date to
    every member of the company, once the change commits."""
    if not is_live_for(company_id):
        return
    group = company_group(company_id)
    for day in sorted(set(dates)):
        push_on_commit(
            [group], AVAILABILITY_CHANGED, {"actor": actor_id, "date": day.isoformat()}
        )


@receiver(notification_created, dispatch_uid="realtime_on_notification_created")
def on_notification_created(sender, *, notification, **kwargs) -> None:
    """Receiver of `notification_created`, which the outbox sends after its
    commit: the in-app notification to its recipient's sockets."""
    if not is_live_for(notification.company_id):
        return
    push_to_user(
        notification.recipient_id, NOTIFICATION_CREATED, notification_data(notification)
    )
