from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
import time_machine
from django.utils import timezone
from twilio.request_validator import RequestValidator

from apps.appointments.models import AppointmentHistory
from apps.notifications.models import Notification

from .conftest import CUSTOMER_PHONE, make_appointment
from .fake_twilio import AUTH_TOKEN

pytestmark = pytest.mark.django_db

BASE = "https://secretary.example.com"
STATUS_PATH = "/api/notifications/whatsapp/status/"
INBOUND_PATH = "/api/notifications/whatsapp/inbound/"
NOW = datetime(2027, 3, 14, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_WEBHOOK_BASE_URL = BASE


def post(api, path, params, signature="right"):
    headers = {}
    if signature == "right":
        headers["HTTP_X_TWILIO_SIGNATURE"] = RequestValidator(
            AUTH_TOKEN
        ).compute_signature(BASE + path, params)
    elif signature == "wrong":
        headers["HTTP_X_TWILIO_SIGNATURE"] = RequestValidator(
            "another-token"
        ).compute_signature(BASE + path, params)
    return api.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )


def reply_text(response) -> str:
    assert response["Content-Type"] == "application/xml"
    return ElementTree.fromstring(response.content).find("Message").text


@pytest.fixture
def sent_row(tenant_a):
    return Notification.objects.create(
        key="test:status",
        company=tenant_a.company,
        recipient=tenant_a.customer,
        channel="whatsapp",
        kind="appointment.confirmed",
        language="pt-br",
        address=f"whatsapp:{CUSTOMER_PHONE}",
        title="t",
        body="b",
        status="sent",
        provider_id="SM0001",
        next_attempt_at=timezone.now(),
    )


STATUS = {"MessageSid": "SM0001", "MessageStatus": "delivered"}


def test_whatsapp_status_with_right_signature_is_recorded(api, sent_row):
    response = post(api, STATUS_PATH, STATUS)

    sent_row.refresh_from_db()
    assert response.status_code == 204
    assert sent_row.provider_status == "delivered"


@pytest.mark.parametrize("signature", ["wrong", "missing"])
def test_whatsapp_status_without_a_valid_signature_is_refused(api, sent_row, signature):
    response = post(api, STATUS_PATH, STATUS, signature=signature)

    sent_row.refresh_from_db()
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert sent_row.provider_status == ""


def test_whatsapp_status_signed_for_another_url_is_refused(api, sent_row, settings):
    settings.TWILIO_WEBHOOK_BASE_URL = "https://elsewhere.example.com"

    response = post(api, STATUS_PATH, STATUS)

    sent_row.refresh_from_db()
    assert response.status_code == 403
    assert sent_row.provider_status == ""


def test_whatsapp_status_is_refused_without_a_configured_token(api, sent_row, settings):
    settings.TWILIO_AUTH_TOKEN = ""

    response = post(api, STATUS_PATH, STATUS)

    assert response.status_code == 403


@pytest.mark.parametrize("path", [STATUS_PATH, INBOUND_PATH])
@pytest.mark.parametrize("signature", ["wrong", "missing"])
def test_whatsapp_webhook_with_a_json_body_and_a_bad_signature_is_refused(
    api, sent_row, path, signature
):
    headers = {}
    if signature == "wrong":
        headers["HTTP_X_TWILIO_SIGNATURE"] = RequestValidator(
            "another-token"
        ).compute_signature(BASE + path, {})

    response = api.post(path, STATUS, format="json", **headers)

    sent_row.refresh_from_db()
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert sent_row.provider_status == ""


def post_statuses(api, callbacks):
    for status, error_code in callbacks:
        params = {"MessageSid": "SM0001", "MessageStatus": status}
        if error_code:
            params["ErrorCode"] = error_code
        assert post(api, STATUS_PATH, params).status_code == 204


@pytest.mark.parametrize(
    ("callbacks", "stored"),
    [
        ([("sent", ""), ("delivered", ""), ("read", "")], ("read", "")),
        ([("failed", "63016"), ("sent", "")], ("failed", "63016")),
        ([("undelivered", "30003"), ("delivered", "")], ("undelivered", "30003")),
        ([("delivered", ""), ("sent", ""), ("queued", "")], ("delivered", "")),
        ([("read", ""), ("delivered", "")], ("read", "")),
        ([("delivered", ""), ("undelivered", "30008")], ("undelivered", "30008")),
        ([("failed", "63016"), ("undelivered", "30003")], ("failed", "63016")),
        ([("sent", ""), ("no-such-status", "")], ("sent", "")),
    ],
)
def test_whatsapp_status_callbacks_out_of_order_only_move_forward(
    api, sent_row, callbacks, stored
):
    post_statuses(api, callbacks)

    sent_row.refresh_from_db()
    assert (sent_row.provider_status, sent_row.error_code) == stored


@pytest.fixture
def upcoming(phones):
    with time_machine.travel(NOW, tick=False):
        return make_appointment(phones, start=NOW + timedelta(days=1))


def inbound(api, body, signature="right"):
    with time_machine.travel(NOW, tick=False):
        return post(
            api,
            INBOUND_PATH,
            {"From": f"whatsapp:{CUSTOMER_PHONE}", "Body": body, "MessageSid": "SM9"},
            signature=signature,
        )


@pytest.mark.parametrize("answer", ["SIM", "1", "Confirmar!", "yes"])
def test_whatsapp_inbound_yes_acknowledges_the_next_appointment(api, upcoming, answer):
    response = inbound(api, answer)

    upcoming.refresh_from_db()
    assert response.status_code == 200
    assert reply_text(response) == (
        "Obrigado! Seu agendamento de Haircut em Alpha Co no dia 15/03/2027 09:00 "
        "está confirmado."
    )
    assert upcoming.status == "confirmed"


@pytest.mark.parametrize("answer", ["Não", "2", "cancelar", "CANCEL"])
def test_whatsapp_inbound_no_cancels_through_the_scheduling_rules(
    api, upcoming, answer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = inbound(api, answer)

    upcoming.refresh_from_db()
    history = AppointmentHistory.objects.filter(appointment=upcoming).last()
    assert reply_text(response) == (
        "Seu agendamento de Haircut em Alpha Co no dia 15/03/2027 09:00 foi cancelado."
    )
    assert upcoming.status == "cancelled"
    assert (history.by, history.to_status, history.note) == (
        upcoming.customer,
        "cancelled",
        "WhatsApp reply",
    )
    assert (
        Notification.objects.filter(
            recipient=upcoming.actor.user,
            kind="appointment.cancelled",
            channel="in_app",
        ).count()
        == 1
    )


def test_whatsapp_inbound_cancel_inside_the_notice_is_too_late(api, upcoming):
    upcoming.company.cancellation_notice_minutes = 48 * 60
    upcoming.company.save()

    response = inbound(api, "2")

    upcoming.refresh_from_db()
    assert reply_text(response) == (
        "Desculpe, seu agendamento de Haircut em 15/03/2027 09:00 não pode mais ser "
        "cancelado por aqui: Alpha Co pede 48 hora(s) de antecedência. Fale "
        "diretamente com Alpha Co."
    )
    assert upcoming.status == "confirmed"


def test_whatsapp_inbound_in_english_for_an_english_customer(api, upcoming):
    upcoming.customer.language = "en"
    upcoming.customer.save()

    response = inbound(api, "banana")

    assert reply_text(response) == (
        "Sorry, we did not understand. Reply 1 (YES) to confirm or 2 (CANCEL) to "
        "cancel your appointment."
    )


def test_whatsapp_inbound_from_an_unknown_number(api, tenant_a):
    response = inbound(api, "1")

    assert reply_text(response) == (
        "Não encontramos nenhum agendamento próximo para este número."
    )


@pytest.mark.parametrize("signature", ["wrong", "missing"])
def test_whatsapp_inbound_without_a_valid_signature_changes_nothing(
    api, upcoming, signature
):
    response = inbound(api, "2", signature=signature)

    upcoming.refresh_from_db()
    assert response.status_code == 403
    assert upcoming.status == "confirmed"
