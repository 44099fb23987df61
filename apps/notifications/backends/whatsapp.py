"""WhatsApp through Twilio's Messages API, or a recorder without credentials."""

import functools
import logging
import uuid
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from ..errors import PermanentDeliveryError, TemporaryDeliveryError
from ..models import Notification, WhatsAppRecord

logger = logging.getLogger(__name__)
# The SDK logs each request's query string, which holds phone numbers; its
# own logger keeps only warnings.
sdk_logger = logging.getLogger(__name__ + ".sdk")
sdk_logger.setLevel(logging.WARNING)

WHATSAPP_PREFIX = "whatsapp:"
# How many of the recipient's latest messages a resumed send looks through
# for one an interrupted attempt already created.
RECONCILE_LOOKBACK = 20
# Too many requests is Twilio's way of asking to come back later.
TEMPORARY_STATUSES = {429}


class RedirectingHttpClient(TwilioHttpClient):
    """Sends the SDK's requests to `base_url` instead of Twilio's hosts.

    The SDK builds absolute `https://api.twilio.com/...` addresses; Twilio's
    documented way to reach a proxy or a stand-in is a custom HTTP client,
    which here swaps the scheme and host and keeps the path.
    """

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = urlsplit(base_url)

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        path = self.base_url.path.rstrip("/") + parts.path
        url = urlunsplit(
            (self.base_url.scheme, self.base_url.netloc, path, parts.query, "")
        )
        return super().request(method, url, *args, **kwargs)


@functools.lru_cache(maxsize=4)
def twilio_client(sid: str, token: str, api_url: str, timeout: float) -> Client:
    """One client per configuration, so its HTTP session and pool are reused."""
    if api_url:
        http_client = RedirectingHttpClient(api_url, timeout=timeout, logger=sdk_logger)
    else:
        http_client = TwilioHttpClient(timeout=timeout, logger=sdk_logger)
    return Client(sid, token, http_client=http_client)


def status_callback_url() -> str | None:
    base = settings.TWILIO_WEBHOOK_BASE_URL
    if not base:
        return None
    return base.rstrip("/") + reverse("notifications:whatsapp-status")


def sender_address() -> str:
    return WHATSAPP_PREFIX + settings.TWILIO_PHONE_NUMBER


class TwilioWhatsAppBackend:
    def __init__(self):
        self.client = twilio_client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            settings.TWILIO_API_URL,
            settings.TWILIO_TIMEOUT_SECONDS,
        )

    def send(self, notification: Notification) -> str:
        options = {}
        callback = status_callback_url()
        if callback:
            options["status_callback"] = callback
        try:
            message = self.client.messages.create(
                to=notification.address,
                from_=sender_address(),
                body=notification.body,
                **options,
            )
        except TwilioRestException as exc:
            raise self._classify(exc) from exc
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TemporaryDeliveryError(type(exc).__name__, code="network") from exc
        except TwilioException as exc:
            raise TemporaryDeliveryError(str(exc), code="twilio") from exc
        return message.sid

    def find_delivered(self, notification: Notification) -> str | None:
        """The sid of a message an interrupted attempt already created, if any.

        Twilio has no idempotency key for messages, so a resumed send asks
        for the recipient's latest messages from our number and matches the
        exact body created after the row was written.
        """
        since = notification.created_at - timedelta(minutes=1)
        try:
            recent = self.client.messages.list(
                to=notification.address,
                from_=sender_address(),
                limit=RECONCILE_LOOKBACK,
            )
        except TwilioRestException as exc:
            raise self._classify(exc) from exc
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TemporaryDeliveryError(type(exc).__name__, code="network") from exc
        for message in recent:
            created = message.date_created
            if message.body == notification.body and (
                created is None or created >= since
            ):
                return message.sid
        return None

    @staticmethod
    def _classify(exc: TwilioRestException) -> Exception:
        code = str(exc.code or exc.status)
        if exc.status >= 500 or exc.status in TEMPORARY_STATUSES:
            return TemporaryDeliveryError(exc.msg or str(exc.status), code=code)
        return PermanentDeliveryError(exc.msg or str(exc.status), code=code)


class RecordingWhatsAppBackend:
    """Keeps the message in the database instead of sending it."""

    def send(self, notification: Notification) -> str:
        record = WhatsAppRecord.objects.create(
            notification=notification,
            sid="REC" + uuid.uuid4().hex,
            to=notification.address,
            from_number=sender_address() if settings.TWILIO_PHONE_NUMBER else "",
            body=notification.body,
        )
        logger.info(
            "WhatsApp message recorded instead of sent",
            extra={"notification_id": notification.pk},
        )
        return record.sid

    def find_delivered(self, notification: Notification) -> str | None:
        record = WhatsAppRecord.objects.filter(notification=notification).first()
        return record.sid if record else None
