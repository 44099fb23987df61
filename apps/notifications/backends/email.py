"""Email through Django's mail backend: text and HTML, and an invitation."""

import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from ..errors import PermanentDeliveryError, TemporaryDeliveryError
from ..invitations import appointment_ics
from ..models import Notification
from ..rendering import render_email

INVITE_FILENAME = "invite.ics"
INVITE_MIMETYPE = "text/calendar; charset=utf-8; method=PUBLISH"


class EmailBackend:
    def send(self, notification: Notification) -> str:
        message = build_email(notification)
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPResponseException as exc:
            raise classify_smtp_code(exc.smtp_code, str(exc.smtp_error)) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            worst = max(codes) if codes else 550
            raise classify_smtp_code(worst, "recipient refused") from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Disconnections, refused connections and timeouts pass.
            raise TemporaryDeliveryError(type(exc).__name__, code="smtp") from exc
        return message.extra_headers["Message-ID"].strip("<>")

    def find_delivered(self, notification: Notification) -> str | None:
        # SMTP cannot be asked what it already accepted; the fixed
        # Message-ID lets mail clients fold the rare duplicate.
        return None


def classify_smtp_code(code: int, text: str) -> Exception:
    """SMTP replies 4xx are transient by definition (RFC 5321), 5xx final."""
    if 400 <= code < 500:
        return TemporaryDeliveryError(text, code=str(code))
    return PermanentDeliveryError(text, code=str(code))


def build_email(notification: Notification) -> EmailMultiAlternatives:
    """The email for an outbox row, with an .ics when the row asks for one."""
    data = notification.data
    details = data.get("details") or {}
    has_invite = bool(data.get("invite"))
    text, html = render_email(
        notification.language,
        {
            "title": notification.title,
            "body": notification.body,
            "details": details,
            "company": data.get("company_name", ""),
            "has_invite": has_invite,
        },
    )
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers={"Message-ID": f"<{notification.key.replace(':', '.')}@{domain}>"},
    )
    message.attach_alternative(html, "text/html")
    if has_invite:
        invite = appointment_ics(
            uid=f"appointment-{data['appointment_id']}@{domain}",
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            summary=f"{details.get('service', '')} · {data.get('company_name', '')}",
            description=notification.body,
            location=data.get("company_name", ""),
            sequence=int(data.get("sequence", 0)),
            stamp=timezone.now(),
        )
        message.attach(INVITE_FILENAME, invite, INVITE_MIMETYPE)
    return message
