"""Fixtures for the notifications tests: appointments and a fake Twilio."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from apps.appointments.events import AppointmentEvent, appointment_changed
from apps.appointments.models import Appointment, AppointmentStatus
from apps.core.tests.factories import ServiceFactory
from apps.notifications.backends import whatsapp

from .fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

CUSTOMER_PHONE = "+5511987654321"
ACTOR_PHONE = "+5511912345678"
SENDER_PHONE = "+14155550100"


def make_appointment(
    tenant,
    *,
    start: datetime,
    status: str = AppointmentStatus.CONFIRMED,
    customer=None,
    minutes: int = 30,
    service=None,
) -> Appointment:
    """An appointment row written directly, without the booking rules."""
    service = service or ServiceFactory(
        company=tenant.company, name="Haircut", duration_minutes=minutes
    )
    end = start + timedelta(minutes=minutes)
    return Appointment.objects.create(
        company=tenant.company,
        actor=tenant.actor,
        service=service,
        customer=customer or tenant.customer,
        start=start,
        end=end,
        occupied_start=start,
        occupied_end=end,
        status=status,
        price_base=Decimal("50.00"),
        price_final=Decimal("50.00"),
    )


def announce(
    appointment, event=AppointmentEvent.CREATED, *, by=None, previous=None, note=""
):
    appointment_changed.send(
        sender=Appointment,
        appointment=appointment,
        event=event,
        by=by,
        previous=previous or {},
        note=note,
    )


@pytest.fixture
def phones(tenant_a):
    tenant_a.customer.name = "Ana Souza"
    tenant_a.customer.phone = CUSTOMER_PHONE
    tenant_a.customer.save()
    tenant_a.actor_user.phone = ACTOR_PHONE
    tenant_a.actor_user.save()
    tenant_a.actor.display_name = "Bruno"
    tenant_a.actor.save()
    return tenant_a


@pytest.fixture(scope="session")
def fake_twilio_server():
    server = FakeTwilio().start()
    yield server
    server.stop()


@pytest.fixture
def fake_twilio(fake_twilio_server, settings):
    """The fake Twilio, emptied, with the SDK pointed at it."""
    fake_twilio_server.reset()
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_PHONE_NUMBER = SENDER_PHONE
    settings.TWILIO_API_URL = fake_twilio_server.url
    settings.TWILIO_TIMEOUT_SECONDS = 2.0
    whatsapp.twilio_client.cache_clear()
    yield fake_twilio_server
    whatsapp.twilio_client.cache_clear()
