"""Which appointment a WhatsApp reply answers, and what the customer hears."""

from datetime import timedelta

import pytest
import time_machine

from apps.appointments.models import Appointment
from apps.companies.models import Role
from apps.core.tests.factories import member
from apps.notifications.models import Notification

from .conftest import CUSTOMER_PHONE, make_appointment
from .fake_twilio import AUTH_TOKEN
from .test_webhooks import BASE, INBOUND_PATH, NOW, post, reply_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_WEBHOOK_BASE_URL = BASE


def sent_whatsapp(appointment, *, minutes_ago: int, key: str) -> Notification:
    """A WhatsApp message about `appointment` that went out some minutes ago."""
    sent_at = NOW - timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        key=key,
        company=appointment.company,
        recipient=appointment.customer,
        appointment=appointment,
        channel="whatsapp",
        kind="appointment.reminder",
        language="pt-br",
        address=f"whatsapp:{CUSTOMER_PHONE}",
        title="t",
        body="b",
        status="sent",
        sent_at=sent_at,
        next_attempt_at=sent_at,
    )


def reply(api, body, sid="SM1"):
    with time_machine.travel(NOW, tick=False):
        return post(
            api,
            INBOUND_PATH,
            {"From": f"whatsapp:{CUSTOMER_PHONE}", "Body": body, "MessageSid": sid},
        )


@pytest.fixture
def two_upcoming(phones):
    """Tomorrow's and the day after's appointments; the customer was last
    written to about the later one."""
    with time_machine.travel(NOW, tick=False):
        sooner = make_appointment(phones, start=NOW + timedelta(days=1))
        later = make_appointment(phones, start=NOW + timedelta(days=2))
    sent_whatsapp(sooner, minutes_ago=90, key="test:sooner")
    sent_whatsapp(later, minutes_ago=5, key="test:later")
    return sooner, later


def test_whatsapp_reply_answers_the_latest_message_not_the_next_appointment(
    api, two_upcoming, django_capture_on_commit_callbacks
):
    sooner, later = two_upcoming

    with django_capture_on_commit_callbacks(execute=True):
        response = reply(api, "cancelar")

    sooner.refresh_from_db()
    later.refresh_from_db()
    assert reply_text(response) == (
        "Seu agendamento de Haircut em Alpha Co no dia 16/03/2027 09:00 foi cancelado."
    )
    assert (sooner.status, later.status) == ("confirmed", "cancelled")


def test_whatsapp_reply_repeated_cancels_once(
    api, two_upcoming, django_capture_on_commit_callbacks
):
    sooner, later = two_upcoming

    with django_capture_on_commit_callbacks(execute=True):
        first = reply(api, "cancelar", sid="SM1")
    with django_capture_on_commit_callbacks(execute=True):
        again = reply(api, "cancelar", sid="SM1")
        typed_twice = reply(api, "2", sid="SM2")

    sooner.refresh_from_db()
    assert [reply_text(r) for r in (first, again, typed_twice)] == [
        "Seu agendamento de Haircut em Alpha Co no dia 16/03/2027 09:00 foi cancelado."
    ] * 3
    assert sooner.status == "confirmed"
    assert later.history.filter(to_status="cancelled").count() == 1
    assert (
        Notification.objects.filter(
            kind="appointment.cancelled", recipient=later.actor.user, channel="in_app"
        ).count()
        == 1
    )


def test_whatsapp_reply_confirm_after_a_cancellation_finds_nothing(api, two_upcoming):
    _sooner, later = two_upcoming
    later.status = "cancelled"
    later.save(update_fields=["status"])

    response = reply(api, "sim")

    assert reply_text(response) == (
        "Não encontramos nenhum agendamento próximo para este número."
    )


def test_whatsapp_reply_cancel_is_answered_once_on_whatsapp(
    api, two_upcoming, django_capture_on_commit_callbacks
):
    _sooner, later = two_upcoming

    with django_capture_on_commit_callbacks(execute=True):
        reply(api, "cancelar")

    told = dict(
        Notification.objects.filter(
            kind="appointment.cancelled", recipient=later.customer
        ).values_list("channel", "body")
    )
    # The reply's own answer is the customer's WhatsApp; the rest still go.
    assert sorted(told) == ["email", "in_app"]
    assert told["in_app"].endswith(
        "Observação: O cliente cancelou respondendo pelo WhatsApp."
    )
    actor_note = Notification.objects.get(
        kind="appointment.cancelled", recipient=later.actor.user, channel="in_app"
    ).body
    assert actor_note.endswith(
        "Observação: O cliente cancelou respondendo pelo WhatsApp."
    )


def test_whatsapp_reply_after_the_appointment_started_finds_nothing(api, phones):
    with time_machine.travel(NOW, tick=False):
        started = make_appointment(phones, start=NOW - timedelta(minutes=10))
        make_appointment(phones, start=NOW + timedelta(days=3))
    sent_whatsapp(started, minutes_ago=30, key="test:started")

    response = reply(api, "2")

    assert reply_text(response) == (
        "Não encontramos nenhum agendamento próximo para este número."
    )
    assert not Appointment.objects.filter(status="cancelled").exists()


def test_whatsapp_reply_without_an_appointment_uses_the_companys_language(
    api, tenant_b
):
    tenant_b.company.language = "en"
    tenant_b.company.save(update_fields=["language"])
    member(
        tenant_b.company,
        Role.CUSTOMER,
        email="nylon@beta.example.com",
        phone=CUSTOMER_PHONE,
        language="",
    )

    response = reply(api, "yes")

    assert reply_text(response) == ("We found no upcoming appointment for this number.")


def test_whatsapp_reply_from_a_staff_phone_never_acts_for_a_customer(
    api, phones, django_capture_on_commit_callbacks
):
    # The actor's phone was told about the customer's booking; the actor
    # replying "cancelar" must not cancel it as the customer.
    staff = phones.actor.user
    staff.phone = "+5511955550000"
    staff.save(update_fields=["phone"])
    with time_machine.travel(NOW, tick=False):
        booked = make_appointment(phones, start=NOW + timedelta(days=1))
    told = sent_whatsapp(booked, minutes_ago=5, key="test:actor")
    told.recipient = staff
    told.address = "whatsapp:+5511955550000"
    told.save(update_fields=["recipient", "address"])

    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(
            api,
            INBOUND_PATH,
            {"From": "whatsapp:+5511955550000", "Body": "cancelar", "MessageSid": "S"},
        )

    booked.refresh_from_db()
    assert reply_text(response) == (
        "Não encontramos nenhum agendamento próximo para este número."
    )
    assert booked.status == "confirmed"
