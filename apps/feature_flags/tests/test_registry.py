from django.utils import translation

from apps.feature_flags.registry import (
    ENVIRONMENTS,
    PRODUCTION,
    REGISTRY,
    definition_get,
)

PRODUCT_FLAGS = {
    "customer_self_booking",
    "appointment_approval",
    "recurring_appointments",
    "coupons",
    "dynamic_pricing",
    "whatsapp_notifications",
    "email_notifications",
    "websocket_notifications",
    "appointment_reminders",
    "google_calendar_sync",
}


def test_registry_holds_every_product_flag():
    assert set(REGISTRY) == PRODUCT_FLAGS


def test_registry_defines_a_default_for_every_environment():
    missing = [
        (name, environment)
        for name, definition in REGISTRY.items()
        for environment in ENVIRONMENTS
        if environment not in definition.defaults
    ]

    assert missing == []


def test_registry_turns_every_flag_on_in_development_and_test():
    states = {
        (name, environment): definition.default_for(environment)
        for name, definition in REGISTRY.items()
        for environment in ("development", "test")
    }

    assert set(states.values()) == {True}


def test_default_for_an_unknown_environment_is_the_production_default():
    answers = {
        name: definition.default_for("staging") for name, definition in REGISTRY.items()
    }

    assert answers == {
        name: definition.default_for(PRODUCTION)
        for name, definition in REGISTRY.items()
    }
    assert answers["coupons"] is False


def test_definition_get_of_an_unknown_name_is_none():
    assert definition_get("no_such_flag") is None


def test_registry_descriptions_translate_to_portuguese():
    definition = definition_get("customer_self_booking")

    with translation.override("pt-br"):
        label, description = str(definition.label), str(definition.description)

    assert label == "Autoagendamento pelo cliente"
    assert description == (
        "Os clientes agendam sozinhos pela API. Quando desativado, só a equipe "
        "da empresa pode agendar por eles."
    )
