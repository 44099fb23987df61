from datetime import UTC, datetime

import pytest

from apps.core.tests.factories import ServiceFactory
from apps.notifications.rendering import appointment_context, render_message
from apps.notifications.templatetags.notification_text import sentence

from .conftest import make_appointment

START = datetime(2027, 3, 14, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo

pytestmark = pytest.mark.django_db


@pytest.fixture
def colouring(phones):
    service = ServiceFactory(company=phones.company, name="Coloração")
    return make_appointment(phones, start=START, service=service)


def message(appointment, name, language, *, recipient, note=""):
    context = appointment_context(
        appointment,
        recipient=recipient,
        language=language,
        channel="email",
        note=note,
    )
    return render_message(name, language, {**context, "is_automatic": False})


@pytest.mark.parametrize(
    ("note", "sentences"),
    [
        ("no stock", "Note: no stock. You are welcome"),
        ("no stock.", "Note: no stock. You are welcome"),
        ("out of stock!", "Note: out of stock! You are welcome"),
        ('she said "later."', 'Note: she said "later." You are welcome'),
    ],
)
def test_rejection_ends_the_staff_note_with_one_full_stop(
    colouring, phones, note, sentences
):
    text = message(
        colouring, "appointment_rejected", "en", recipient=phones.customer, note=note
    )

    assert text.body == (
        "Hello Ana Souza, Alpha Co could not accept your request for Coloração on "
        f"Mar 14, 2027 10:00 AM. {sentences} to choose another time."
    )


def test_pt_br_rejection_ends_the_staff_note_with_a_full_stop(colouring, phones):
    text = message(
        colouring,
        "appointment_rejected",
        "pt-br",
        recipient=phones.customer,
        note="sem estoque",
    )

    assert text.body == (
        "Olá Ana Souza, Alpha Co não pôde aceitar seu pedido de Coloração em "
        "14/03/2027 10:00. Observação: sem estoque. Escolha outro horário quando "
        "quiser."
    )


def test_cancellation_note_ends_with_a_full_stop(colouring, phones):
    text = message(
        colouring,
        "appointment_cancelled",
        "en",
        recipient=phones.customer,
        note="the salon is closed",
    )

    assert text.body.endswith(" was cancelled. Note: the salon is closed.")


@pytest.mark.parametrize(
    ("name", "customer_body", "staff_body"),
    [
        (
            "appointment_created",
            "Olá Ana Souza, seu agendamento de Coloração com Bruno em Alpha Co está "
            "marcado para 14/03/2027 10:00.",
            "Ana Souza agendou Coloração com Bruno em 14/03/2027 10:00.",
        ),
        (
            "appointment_confirmed",
            "Olá Ana Souza, seu agendamento de Coloração com Bruno em Alpha Co no dia "
            "14/03/2027 10:00 está confirmado.",
            "O agendamento de Ana Souza para Coloração em 14/03/2027 10:00 está "
            "confirmado.",
        ),
        (
            "appointment_cancelled",
            "Olá Ana Souza, seu agendamento de Coloração com Bruno em Alpha Co no dia "
            "14/03/2027 10:00 foi cancelado.",
            "O agendamento de Ana Souza para Coloração em 14/03/2027 10:00 foi "
            "cancelado.",
        ),
        (
            "appointment_rescheduled",
            "Olá Ana Souza, seu agendamento de Coloração com Bruno em Alpha Co foi "
            "remarcado para 14/03/2027 10:00.",
            "O agendamento de Ana Souza para Coloração foi remarcado para "
            "14/03/2027 10:00.",
        ),
    ],
)
def test_pt_br_texts_need_no_gender_for_the_service_name(
    colouring, phones, name, customer_body, staff_body
):
    to_customer = message(colouring, name, "pt-br", recipient=phones.customer)
    to_actor = message(colouring, name, "pt-br", recipient=phones.actor_user)

    assert (to_customer.body, to_actor.body) == (customer_body, staff_body)


def test_pt_br_reminder_needs_no_gender_for_the_service_name(colouring, phones):
    text = message(
        colouring, "appointment_reminder", "pt-br", recipient=phones.customer
    )

    assert text.body == (
        "Olá Ana Souza, lembramos do seu agendamento de Coloração com Bruno em "
        "Alpha Co no dia 14/03/2027 10:00."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no stock", "no stock."),
        ("no stock ", "no stock."),
        ("Really?", "Really?"),
        ("wait…", "wait…"),
        ("(closed.)", "(closed.)"),
        ("", ""),
    ],
)
def test_sentence_adds_a_full_stop_only_when_the_text_has_no_ending(text, expected):
    assert sentence(text) == expected
