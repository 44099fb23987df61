"""The outbox: writing rows, handing them to Celery, sending each once.

A row moves `queued` → `sending` → `sent` (or `failed`). The move to
`sending` is a conditional UPDATE that also bumps `attempts` and sets a
lease, so of two workers holding the same task only one sends; `attempts`
then fences every later write, so a worker whose lease ran out cannot
overwrite the outcome of the one that took over.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from apps.accounts.models import User
from apps.companies.models import Company

from .. import flags
from ..backends import get_backend
from ..backends.whatsapp import WHATSAPP_PREFIX
from ..errors import PermanentDeliveryError, TemporaryDeliveryError
from ..formatting import pick_language
from ..models import (
    Channel,
    Notification,
    NotificationPreference,
    NotificationStatus,
    WhatsAppRecord,
)
from ..rendering import render_message
from ..selectors import preferences_for
from ..signals import notification_created

logger = logging.getLogger(__name__)

# Rows written per INSERT; large enough for a reminder batch of every
# channel, small enough to keep one statement's parameters modest.
INSERT_BATCH_SIZE = 1000
# How many stuck rows one redispatch run hands over; the next run, minutes
# later, takes the rest.
REDISPATCH_BATCH_SIZE = 2000
# Rows deleted per statement by the cleanup, so no delete holds locks long.
CLEANUP_BATCH_SIZE = 1000
# A retry waits in a worker as an unacknowledged ETA message, and RabbitMQ
# closes the channel of a consumer holding one past its consumer timeout
# (30 minutes by default); ten minutes stays well inside it.
MAX_RETRY_DELAY_SECONDS = 600

ContextBuilder = Callable[[User, str, str], dict]
DataBuilder = Callable[[User, str], dict]


@dataclass(frozen=True)
class Target:
    channel: str
    address: str = ""
    skip_reason: str = ""


@dataclass(frozen=True)
class SendResult:
    outcome: str  # sent, failed, retry, not_claimed
    retry_in: float | None = None


class FlagCache:
    """Company flags looked up once per company while writing a batch."""

    def __init__(self):
        self._values: dict[tuple[str, int], bool] = {}

    def is_enabled(self, name: str, company: Company) -> bool:
        key = (name, company.pk)
        if key not in self._values:
            self._values[key] = flags.is_enabled(name, company=company)
        return self._values[key]


def whatsapp_address(user: User) -> tuple[str, str]:
    """The user's `whatsapp:+E164` address, or a reason it has none."""
    number = user.phone
    if not number:
        return "", "no_number"
    if not phonenumbers.is_valid_number(number):
        return "", "invalid_number"
    return WHATSAPP_PREFIX + phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164
    ), ""


def channel_targets(
    user: User,
    company: Company,
    preference: NotificationPreference,
    flag_cache: FlagCache,
) -> list[Target]:
    """The channels a message to `user` goes out on, by preference and flag."""
    targets = []
    if preference.in_app:
        targets.append(Target(Channel.IN_APP))
    if preference.whatsapp and flag_cache.is_enabled(flags.WHATSAPP, company):
        address, reason = whatsapp_address(user)
        if address or reason == "invalid_number":
            targets.append(Target(Channel.WHATSAPP, address, reason))
    if preference.email and user.email and flag_cache.is_enabled(flags.EMAIL, company):
        targets.append(Target(Channel.EMAIL, user.email))
    return targets


@dataclass
class Draft:
    """One event for several recipients, before it becomes rows."""

    event_key: str
    kind: str
    template: str
    company: Company
    recipients: list[User]
    context: ContextBuilder
    data: DataBuilder
    appointment_id: int | None = None
    is_reminder: bool = False
    # (user id, channel) pairs already told some other way, e.g. the
    # customer whose WhatsApp reply caused the event, answered in the reply.
    skip: frozenset[tuple[int, str]] = frozenset()


def outbox_write(
    drafts: Iterable[Draft], *, now: datetime | None = None
) -> list[Notification]:
    """Write the rows for `drafts` in the caller's transaction; send on commit.

    Keys that already exist are left alone, so writing an event twice is a
    no-op. Queued rows go to Celery after the commit; in-app rows are
    announced with `notification_created`.
    """
    now = now or timezone.now()
    drafts = list(drafts)
    user_ids = {user.pk for draft in drafts for user in draft.recipients}
    preferences = preferences_for(user_ids)
    flag_cache = FlagCache()
    rows = []
    for draft in drafts:
        reminders_on = not draft.is_reminder or flag_cache.is_enabled(
            flags.REMINDERS, draft.company
        )
        for user in draft.recipients:
            preference = preferences.get(user.pk) or NotificationPreference(user=user)
            if draft.is_reminder and not (reminders_on and preference.reminders):
                continue
            language = pick_language(user.language, draft.company.language)
            data = draft.data(user, language)
            for target in channel_targets(user, draft.company, preference, flag_cache):
                if (user.pk, target.channel) in draft.skip:
                    continue
                message = render_message(
                    draft.template,
                    language,
                    draft.context(user, language, target.channel),
                )
                rows.append(_row(draft, user, language, target, message, data, now=now))
    if not rows:
        return []

    Notification.objects.bulk_create(
        rows, batch_size=INSERT_BATCH_SIZE, ignore_conflicts=True
    )
    written = list(
        Notification.objects.filter(key__in=[row.key for row in rows]).order_by("pk")
    )

    queued = [
        (row.pk, row.channel)
        for row in written
        if row.status == NotificationStatus.QUEUED
    ]
    in_app = [row for row in written if row.channel == Channel.IN_APP]
    if queued:
        transaction.on_commit(partial(notifications_dispatch, queued), robust=True)
    if in_app:
        transaction.on_commit(partial(_announce_in_app, in_app), robust=True)
    return written


def _row(draft, user, language, target, message, data, *, now) -> Notification:
    if target.channel == Channel.IN_APP:
        status, sent_at = NotificationStatus.SENT, now
    elif target.skip_reason:
        status, sent_at = NotificationStatus.SKIPPED, None
    else:
        status, sent_at = NotificationStatus.QUEUED, None
    return Notification(
        key=f"{draft.event_key}:{user.pk}:{target.channel}",
        company=draft.company,
        recipient=user,
        appointment_id=draft.appointment_id,
        channel=target.channel,
        kind=draft.kind,
        language=language,
        address=target.address,
        title=message.title,
        body=message.body,
        data=data,
        status=status,
        error_code=target.skip_reason,
        next_attempt_at=now,
        sent_at=sent_at,
    )


def _announce_in_app(rows: list[Notification]) -> None:
    for row in rows:
        notification_created.send(sender=Notification, notification=row)


def notifications_dispatch(rows: Iterable[tuple[int, str]]) -> int:
    """Hand queued rows to their channel's task; returns how many went out.

    When the broker cannot be reached the rest stay queued for the
    redispatch task: a booking must not fail because RabbitMQ is down.
    """
    from ..tasks import celery_app, send_email_task, send_whatsapp_task

    tasks = {Channel.WHATSAPP: send_whatsapp_task, Channel.EMAIL: send_email_task}
    handed = 0
    try:
        with celery_app.producer_or_acquire() as producer:
            for pk, channel in rows:
                tasks[channel].apply_async((pk,), producer=producer)
                handed += 1
    except (OperationalError, OSError) as exc:
        logger.warning(
            "Broker unavailable; notifications stay queued for redispatch",
            extra={"handed": handed, "error": type(exc).__name__},
        )
    return handed


def _claimable(now: datetime) -> Q:
    # A `sending` row whose lease ran out belongs to a worker that died:
    # the task's time limit is shorter than the lease, so a live worker has
    # finished or been stopped by then.
    return Q(status=NotificationStatus.QUEUED) | Q(
        status=NotificationStatus.SENDING, lease_until__lt=now
    )


def retry_delay(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: doubling, capped at ten minutes."""
    delay = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    return min(delay, MAX_RETRY_DELAY_SECONDS)


def notification_send(*, notification_id: int) -> SendResult:
    """Send one outbox row at most once.

    Claims the row (queued, or sending with an expired lease) with a
    conditional UPDATE; a row another worker holds or already sent is left
    alone (`not_claimed`). A re-attempt first asks the provider whether an
    earlier attempt got through, and records that instead of sending again.
    Temporary faults put the row back in the queue with a backoff
    (`retry`), until the attempts run out; permanent ones mark it failed.
    """
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.NOTIFICATIONS_SEND_LEASE_SECONDS)
    claimed = (
        Notification.objects.filter(_claimable(now), pk=notification_id)
        .exclude(channel=Channel.IN_APP)
        .update(
            status=NotificationStatus.SENDING,
            attempts=F("attempts") + 1,
            lease_until=lease_until,
            updated_at=now,
        )
    )
    if not claimed:
        return SendResult("not_claimed")
    row = Notification.objects.get(pk=notification_id)
    fence = Notification.objects.filter(
        pk=row.pk, status=NotificationStatus.SENDING, attempts=row.attempts
    )

    backend = get_backend(row.channel)
    try:
        provider_id = backend.find_delivered(row) if row.attempts > 1 else None
        if provider_id is None:
            provider_id = backend.send(row)
    except TemporaryDeliveryError as exc:
        return _after_temporary_fault(row, fence, exc)
    except PermanentDeliveryError as exc:
        fence.update(
            status=NotificationStatus.FAILED,
            lease_until=None,
            error_code=exc.code[:32],
            error=str(exc),
            updated_at=timezone.now(),
        )
        logger.warning(
            "Notification refused by the provider",
            extra={"notification_id": row.pk, "error_code": exc.code},
        )
        return SendResult("failed")

    fence.update(
        status=NotificationStatus.SENT,
        provider_id=provider_id,
        lease_until=None,
        sent_at=timezone.now(),
        error_code="",
        error="",
        updated_at=timezone.now(),
    )
    return SendResult("sent")


def _after_temporary_fault(row, fence, exc: TemporaryDeliveryError) -> SendResult:
    now = timezone.now()
    common = {"lease_until": None, "error_code": exc.code[:32], "error": str(exc)}
    if row.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        fence.update(status=NotificationStatus.FAILED, updated_at=now, **common)
        logger.warning(
            "Notification failed after its last attempt",
            extra={"notification_id": row.pk, "attempts": row.attempts},
        )
        return SendResult("failed")
    delay = retry_delay(row.attempts)
    fence.update(
        status=NotificationStatus.QUEUED,
        next_attempt_at=now + timedelta(seconds=delay),
        updated_at=now,
        **common,
    )
    logger.info(
        "Notification will be retried",
        extra={"notification_id": row.pk, "attempts": row.attempts, "delay": delay},
    )
    return SendResult("retry", retry_in=delay)


def notifications_redispatch_stuck(*, now: datetime | None = None) -> int:
    """Hand over again the rows nobody is working on; returns how many.

    A row still `queued` some minutes after it was due never reached a
    worker (the broker was down, or the retry could not be published); a
    `sending` row past its lease lost its worker. Each row's due time moves
    to now, so the next run leaves it alone while its task waits in line.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.NOTIFICATIONS_STUCK_AFTER_MINUTES)
    stuck = list(
        Notification.objects.filter(
            Q(status=NotificationStatus.QUEUED, next_attempt_at__lte=cutoff)
            | Q(status=NotificationStatus.SENDING, lease_until__lt=now)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "channel")[:REDISPATCH_BATCH_SIZE]
    )
    if not stuck:
        return 0
    Notification.objects.filter(
        pk__in=[pk for pk, _channel in stuck], status=NotificationStatus.QUEUED
    ).update(next_attempt_at=now)
    logger.info("Redispatching stuck notifications", extra={"count": len(stuck)})
    return notifications_dispatch(stuck)


def notifications_cleanup(*, now: datetime | None = None) -> int:
    """Delete notifications older than the retention period, in batches."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NOTIFICATIONS_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(
            Notification.objects.filter(created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:CLEANUP_BATCH_SIZE]
        )
        if not ids:
            break
        with transaction.atomic():
            WhatsAppRecord.objects.filter(notification_id__in=ids).delete()
            Notification.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted
