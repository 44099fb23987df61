"""Turns an appointment event into the words one recipient reads.

Each kind has a template per language under `notifications/messages/`: its
first line is the title, the rest the body. Times are shown in the
company's zone in the recipient's language.
"""

import re
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from .formatting import format_local_datetime

MESSAGE_TEMPLATE = "notifications/messages/{language}/{name}.txt"
EMAIL_TEMPLATE = "notifications/email/{language}/message.{extension}"
EXTRA_BLANK_LINES = re.compile(r"\n{3,}")
# Events whose email carries the appointment as a calendar invitation.
INVITE_EVENTS = frozenset({"created", "confirmed", "rescheduled"})


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def render_message(name: str, language: str, context: dict) -> Message:
    """The title and body of template `name` (e.g. `appointment_confirmed`)."""
    path = MESSAGE_TEMPLATE.format(language=language, name=name)
    with translation.override(language):
        text = render_to_string(path, context).strip()
    title, _newline, body = text.partition("\n")
    return Message(title=title.strip(), body=body.strip())


def render_email(language: str, context: dict) -> tuple[str, str]:
    """The text and HTML versions of an email around an already-made message."""
    with translation.override(language):
        text = render_to_string(
            EMAIL_TEMPLATE.format(language=language, extension="txt"), context
        )
        html = render_to_string(
            EMAIL_TEMPLATE.format(language=language, extension="html"), context
        )
    return EXTRA_BLANK_LINES.sub("\n\n", text).strip() + "\n", html


def appointment_context(
    appointment,
    *,
    recipient,
    language: str,
    channel: str,
    previous_start=None,
    note: str = "",
) -> dict:
    """What every appointment template may use; related rows must be loaded."""
    zone = appointment.company.tzinfo
    customer = appointment.customer
    return {
        "recipient_name": recipient.name or recipient.email.split("@")[0],
        "is_customer": recipient.pk == appointment.customer_id,
        "customer_name": customer.name or customer.email.split("@")[0],
        "company": appointment.company.name,
        "service": _translated_service_name(appointment.service, language),
        "actor": appointment.actor.display_name,
        "when": format_local_datetime(appointment.start, zone, language),
        "previous_when": (
            format_local_datetime(previous_start, zone, language)
            if previous_start and previous_start != appointment.start
            else ""
        ),
        "note": note,
        "channel": channel,
    }


def _translated_service_name(service, language: str) -> str:
    # modeltranslation keeps one column per language; the plain attribute
    # follows the active language, so read it with the recipient's active.
    with translation.override(language):
        return service.name


def appointment_data(
    appointment, *, event: str, language: str, sequence: int = 0
) -> dict:
    """The `data` of a notification about `appointment`, as clients read it."""
    tz = appointment.company.tzinfo
    return {
        "appointment_id": appointment.pk,
        "company_id": appointment.company_id,
        "company_name": appointment.company.name,
        "event": event,
        "status": appointment.status,
        # With the company's offset, as every other answer of the API.
        "start": appointment.start.astimezone(tz).isoformat(),
        "end": appointment.end.astimezone(tz).isoformat(),
        "details": {
            "service": _translated_service_name(appointment.service, language),
            "actor": appointment.actor.display_name,
            "when": format_local_datetime(appointment.start, tz, language),
        },
        "invite": event in INVITE_EVENTS,
        "sequence": sequence,
    }
