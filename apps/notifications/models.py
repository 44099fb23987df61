from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.companies.models import Company


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Notification(models.Model):
    """One message to one recipient on one channel: the outbox row.

    `key` is `<event key>:<recipient id>:<channel>`; its uniqueness is what
    makes writing the same event twice a no-op. A row is claimed by moving it
    from `queued` to `sending` with a lease; `provider_id` is the provider's
    id once the message was handed over. In-app rows are delivered by being
    stored, so they are written `sent`.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("company"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("appointment"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=40)
    language = models.CharField(_("language"), max_length=8)
    address = models.CharField(_("address"), max_length=254, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    data = models.JSONField(_("data"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    # An email's Message-ID or a Twilio message SID.
    provider_id = models.CharField(_("provider id"), max_length=255, blank=True)
    provider_status = models.CharField(_("provider status"), max_length=32, blank=True)
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    error = models.TextField(_("error"), blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "channel", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["provider_id"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id} ({self.channel}, {self.status})"


class NotificationPreference(models.Model):
    """Which channels a user accepts; a user without a row accepts all."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    whatsapp = models.BooleanField(_("WhatsApp"), default=True)
    email = models.BooleanField(_("email"), default=True)
    in_app = models.BooleanField(_("in-app"), default=True)
    reminders = models.BooleanField(_("reminders"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user_id"]

    def __str__(self):
        return str(self.user)

    def allows(self, channel: str) -> bool:
        return bool(getattr(self, channel))


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")
    SKIPPED = "skipped", _("Skipped")


class Reminder(models.Model):
    """A reminder due before an appointment's start, found by the scan.

    Rows are written when an appointment becomes live, replaced when it is
    rescheduled and cancelled when it stops being live. Only one pending row
    may exist per appointment, offset and due time. The scan moves due rows
    to `queued` and hands them to a task in batches; the task writes their
    outbox rows and marks them `sent` (or `skipped`).
    """

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("company"),
    )
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("appointment"),
    )
    offset_minutes = models.PositiveIntegerField(_("minutes before the start"))
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReminderStatus.choices,
        default=ReminderStatus.PENDING,
    )
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at", "id"]
        indexes = [
            # The scan's only question: which pending rows are due?
            models.Index(
                fields=["due_at"],
                name="notif_reminder_pending_due",
                condition=models.Q(status="pending"),
            ),
            # Batches whose task never ran are handed over again from here.
            models.Index(
                fields=["queued_at"],
                name="notif_reminder_queued",
                condition=models.Q(status="queued"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "offset_minutes", "due_at"],
                condition=models.Q(status="pending"),
                name="notifications_reminder_pending_unique",
            )
        ]

    def __str__(self):
        return f"{self.appointment_id} -{self.offset_minutes}min ({self.status})"


class WhatsAppRecord(models.Model):
    """A WhatsApp message the recording backend kept instead of sending.

    Used when no Twilio credentials are configured, so development and
    demos show exactly what would have gone out.
    """

    notification = models.ForeignKey(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="whatsapp_records",
        verbose_name=_("notification"),
    )
    sid = models.CharField(_("message id"), max_length=64, unique=True)
    to = models.CharField(_("to"), max_length=64)
    from_number = models.CharField(_("from"), max_length=64, blank=True)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recorded WhatsApp message")
        verbose_name_plural = _("recorded WhatsApp messages")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.sid} → {self.to}"
