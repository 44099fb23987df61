"""Senders per channel; each turns an outbox row into a provider id.

A backend's `send` raises `TemporaryDeliveryError` or
`PermanentDeliveryError`; `find_delivered` answers whether an earlier
attempt that died half-way already reached the provider, so a resumed
send can record it instead of sending again.
"""

from typing import Protocol

from django.conf import settings

from ..models import Channel, Notification


class Backend(Protocol):
    def send(self, notification: Notification) -> str: ...

    def find_delivered(self, notification: Notification) -> str | None: ...


def get_backend(channel: str) -> Backend:
    if channel == Channel.WHATSAPP:
        from .whatsapp import RecordingWhatsAppBackend, TwilioWhatsAppBackend

        if settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN:
            return TwilioWhatsAppBackend()
        return RecordingWhatsAppBackend()
    if channel == Channel.EMAIL:
        from .email import EmailBackend

        return EmailBackend()
    raise ValueError(f"No sending backend for channel {channel!r}.")
