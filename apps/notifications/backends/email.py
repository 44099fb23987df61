"""Email through Django's mail backend: text and HTML, and an invitation."""

import smtplib
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText
from django.utils import timezone

from .. import selectors
from ..errors import PermanentDeliveryError, TemporaryDeliveryError
from ..invitations import CANCEL, PUBLISH, appointment_ics
from ..models import Notification
from ..rendering import render_email

INVITE_FILENAME = "invite.ics"
# Events whose email takes back the calendar invitation sent before.
WITHDRAWING_EVENTS = frozenset({"cancelled", "rejected"})


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
    """The email for an outbox row, with an .ics when the row asks for one
    or withdraws one sent before."""
    data = notification.data
    details = data.get("details") or {}
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"
    invite = calendar_part(notification, domain=domain)
    method = invite.get_param("method") if invite else None
    text, html = render_email(
        notification.language,
        {
            "title": notification.title,
            "body": notification.body,
            "details": details,
            "company": data.get("company_name", ""),
            "has_invite": method == PUBLISH,
            "cancels_invite": method == CANCEL,
        },
    )
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers={"Message-ID": f"<{notification.key.replace(':', '.')}@{domain}>"},
    )
    message.attach_alternative(html, "text/html")
    if invite is not None:
        message.attach(invite)
    return message


def calendar_part(notification: Notification, *, domain: str) -> SafeMIMEText | None:
    """The `text/calendar` attachment of an outbox row's email, if it has one.

    Events that end an appointment withdraw the invitation an earlier email
    gave this recipient, with the same UID and a higher SEQUENCE; without
    such an email there is nothing in their calendar to remove.
    """
    data = notification.data
    sequence = int(data.get("sequence", 0))
    if data.get("invite"):
        method = PUBLISH
    elif data.get("event") in WITHDRAWING_EVENTS:
        sent = selectors.invite_sequence_sent(notification=notification)
        if sent is None:
            return None
        method = CANCEL
        # Sequences are the events' timestamps in seconds, so a cancellation
        # in the same second as its invitation would otherwise tie with it.
        sequence = max(sequence, sent + 1)
    else:
        return None

    company = data.get("company_name", "")
    ics = appointment_ics(
        uid=f"appointment-{data['appointment_id']}@{domain}",
        start=datetime.fromisoformat(data["start"]),
        end=datetime.fromisoformat(data["end"]),
        summary=f"{(data.get('details') or {}).get('service', '')} · {company}",
        description=notification.body,
        location=company,
        organizer=parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        attendee=notification.address,
        sequence=sequence,
        stamp=timezone.now(),
        method=method,
    )
    # Built here rather than by `attach(filename, content, mimetype)`, which
    # adds its own charset to whatever parameters the mimetype already has.
    part = SafeMIMEText(ics.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=INVITE_FILENAME)
    return part
