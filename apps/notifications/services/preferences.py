"""A user's own notifications: read marks and channel preferences."""

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import NotFound

from ..models import Channel, Notification, NotificationPreference

PREFERENCE_FIELDS = ("whatsapp", "email", "in_app", "reminders")


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; another's answers 404."""
    notification = Notification.objects.filter(
        pk=notification_id, recipient=user
    ).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark all the user's unread in-app notifications read."""
    now = timezone.now()
    return Notification.objects.filter(
        recipient=user, channel=Channel.IN_APP, read_at__isnull=True
    ).update(read_at=now, updated_at=now)


def preference_update(*, user: User, **changes) -> NotificationPreference:
    """Save the given channel switches and, if given, the user's language."""
    with transaction.atomic():
        preference, _created = (
            NotificationPreference.objects.select_for_update().get_or_create(user=user)
        )
        fields = [name for name in PREFERENCE_FIELDS if name in changes]
        for name in fields:
            setattr(preference, name, changes[name])
        if fields:
            preference.save(update_fields=[*fields, "updated_at"])
        if "language" in changes:
            user.language = changes["language"]
            user.save(update_fields=["language"])
    return preference
