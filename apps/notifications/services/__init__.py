"""Writes of the notifications app, split by subject."""

from .appointments import (
    AUTO_REJECT_NOTE,
    appointment_auto_reject,
    appointment_event_notify,
    appointment_requests_reject_expired,
)
from .inbox import whatsapp_reply_handle, whatsapp_status_record
from .outbox import (
    Draft,
    SendResult,
    notification_send,
    notifications_cleanup,
    notifications_dispatch,
    notifications_redispatch_stuck,
    outbox_write,
    retry_delay,
)
from .preferences import (
    notification_mark_read,
    notifications_mark_all_read,
    preference_update,
)
from .reminders import reminders_send, reminders_send_due, reminders_sync

__all__ = [
    "AUTO_REJECT_NOTE",
    "Draft",
    "SendResult",
    "appointment_auto_reject",
    "appointment_event_notify",
    "appointment_requests_reject_expired",
    "notification_mark_read",
    "notification_send",
    "notifications_cleanup",
    "notifications_dispatch",
    "notifications_mark_all_read",
    "notifications_redispatch_stuck",
    "outbox_write",
    "preference_update",
    "reminders_send",
    "reminders_send_due",
    "reminders_sync",
    "retry_delay",
    "whatsapp_reply_handle",
    "whatsapp_status_record",
]
