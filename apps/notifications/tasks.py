"""Celery tasks: thin wrappers that take ids and call a service.

Every task is safe to run twice: sending claims its row first, and the
periodic ones claim or filter what they work on. Routing to the `high`
and `low` queues is in `CELERY_TASK_ROUTES`.
"""

from celery import shared_task
from django.conf import settings

from secretariaVirtual.celery import app as celery_app

from . import services

# A send must end before its lease does, or a second worker could take the
# row over while the first is still talking to the provider.
SEND_TIME_LIMIT = max(settings.NOTIFICATIONS_SEND_LEASE_SECONDS - 10, 5)

__all__ = [
    "celery_app",
    "cleanup_notifications_task",
    "redispatch_stuck_notifications_task",
    "reject_expired_requests_task",
    "scan_reminders_task",
    "send_email_task",
    "send_reminders_task",
    "send_whatsapp_task",
]


def _send(task, notification_id: int) -> str:
    result = services.notification_send(notification_id=notification_id)
    if result.retry_in is not None:
        # The row is already back in `queued`: should this publish fail,
        # the redispatch task still finds it.
        raise task.retry(countdown=result.retry_in, max_retries=None)
    return result.outcome


@shared_task(bind=True, acks_late=True, time_limit=SEND_TIME_LIMIT)
def send_whatsapp_task(self, notification_id: int) -> str:
    """Send one WhatsApp outbox row (queue `high`)."""
    return _send(self, notification_id)


@shared_task(bind=True, acks_late=True, time_limit=SEND_TIME_LIMIT)
def send_email_task(self, notification_id: int) -> str:
    """Send one email outbox row (queue `low`)."""
    return _send(self, notification_id)


@shared_task
def scan_reminders_task() -> int:
    """Hand the reminders that are due to workers (every minute, from beat)."""
    return services.reminders_send_due()


@shared_task
def send_reminders_task(reminder_ids: list[int]) -> int:
    """Write the outbox rows of one batch the scan claimed (queue `low`)."""
    return services.reminders_send(reminder_ids=reminder_ids)


@shared_task
def reject_expired_requests_task() -> int:
    """Reject pending requests past their company's deadline or start."""
    return services.appointment_requests_reject_expired()


@shared_task
def redispatch_stuck_notifications_task() -> int:
    """Hand over outbox rows no worker is working on."""
    return services.notifications_redispatch_stuck()


@shared_task
def cleanup_notifications_task() -> int:
    """Delete notifications past the retention period, in batches."""
    return services.notifications_cleanup()
