from apps.appointments.models import Service
from apps.feature_flags.localization import (
    formats_for,
    localization_settings,
    translated_value,
)


def service(**names) -> Service:
    return Service(**names)


def test_translated_value_in_the_request_language():
    haircut = service(name_pt_br="Corte de cabelo", name_en="Haircut")

    assert translated_value(haircut, "name", language="en") == "Haircut"
    assert translated_value(haircut, "name", language="pt-br") == "Corte de cabelo"


def test_translated_value_falls_back_to_the_company_language():
    haircut = service(name_pt_br="Corte de cabelo", name_en="")

    value = translated_value(haircut, "name", language="en", fallback_language="pt-br")

    assert value == "Corte de cabelo"


def test_translated_value_falls_back_to_any_language_with_text():
    haircut = service(name_pt_br="", name_en="Haircut")

    value = translated_value(
        haircut, "name", language="pt-br", fallback_language="pt-br"
    )

    assert value == "Haircut"


def test_translated_value_of_an_empty_field_is_empty():
    haircut = service(description_pt_br="", description_en="")

    assert translated_value(haircut, "description", language="en") == ""


def test_formats_for_an_unsupported_language_are_the_default_language_ones():
    assert formats_for("fr") == formats_for("pt-br")
    assert formats_for("pt-br").date_format == "dd/MM/yyyy"


def test_localization_settings_without_company_uses_the_defaults():
    body = localization_settings(language="en")

    assert (body["timezone"], body["currency"], body["company"]) == (
        "America/Sao_Paulo",
        "BRL",
        None,
    )
    assert (body["date_format"], body["time_format"]) == ("MM/dd/yyyy", "h:mm a")
