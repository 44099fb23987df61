"""The catalogues are complete, and the API answers in the request's language."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIRequestFactory

from apps.core.exceptions import exception_handler
from apps.core.tests.factories import PASSWORD
from apps.feature_flags.errors import FeatureDisabled

LOCALE = Path(settings.BASE_DIR) / "locale"
PT_BR = LOCALE / "pt_BR" / "LC_MESSAGES" / "django.po"
EN = LOCALE / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sdfr]")
LOGIN_URL = "/api/auth/users/login/"


def entry_name(entry: polib.POEntry) -> str:
    return repr(entry.msgid)


def live_entries(path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


def test_pt_br_catalogue_has_no_untranslated_entry():
    untranslated = [
        entry_name(entry)
        for entry in live_entries(PT_BR)
        if not (
            all(entry.msgstr_plural.values()) if entry.msgid_plural else entry.msgstr
        )
    ]

    assert untranslated == []


def test_pt_br_catalogue_has_no_fuzzy_entry():
    catalogue = polib.pofile(str(PT_BR))

    fuzzy = [entry_name(entry) for entry in live_entries(PT_BR) if entry.fuzzy]

    assert fuzzy == []
    assert catalogue.metadata_is_fuzzy == []


def test_pt_br_catalogue_keeps_every_placeholder():
    broken = []
    for entry in live_entries(PT_BR):
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = (
            entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        )
        for text in translations:
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                broken.append(entry_name(entry))

    assert broken == []


def test_pt_br_catalogue_declares_language_and_plural_forms():
    metadata = polib.pofile(str(PT_BR)).metadata

    assert metadata["Language"] == "pt_BR"
    assert metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_en_catalogue_lists_the_same_messages_without_fuzzy_entries():
    english = live_entries(EN)

    assert {entry.msgid for entry in english} == {
        entry.msgid for entry in live_entries(PT_BR)
    }
    assert [entry_name(entry) for entry in english if entry.fuzzy] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("pt-br", "E-mail ou senha incorretos."),
        ("en", "Email or password is incorrect."),
    ],
)
def test_login_error_is_in_the_request_language(api, tenant_a, language, detail):
    response = api.post(
        LOGIN_URL,
        {"email": tenant_a.customer.email, "password": "not-the-password"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "detail": detail}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail", "field"),
    [
        ("pt-br", "Alguns campos não são válidos.", "Este campo é obrigatório."),
        ("en", "Some fields are not valid.", "This field is required."),
    ],
)
def test_validation_error_is_in_the_request_language(api, language, detail, field):
    response = api.post(
        LOGIN_URL, {"email": "a@example.com"}, HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": detail,
        "fields": {"password": [field]},
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("pt-br", "O recurso “Cupons” não está habilitado."),
        ("en", "The feature “Coupons” is not enabled."),
    ],
)
def test_feature_disabled_error_is_in_the_request_language(
    api, make_flag, language, detail
):
    make_flag("coupons", everyone=False)
    request = APIRequestFactory().get("/")

    with translation.override(language):
        response = exception_handler(FeatureDisabled("coupons"), {"request": request})

    assert response.status_code == 403
    assert response.data == {
        "code": "feature_disabled",
        "detail": detail,
        "feature": "coupons",
    }


# The request's language: Accept-Language, user, company, pt-br ---------------

ME_URL = "/api/auth/users/me/"


def signed_in(api, user):
    token = Token.objects.create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


@pytest.mark.django_db
def test_request_language_accept_language_wins_over_user_and_company(api, tenant_a):
    tenant_a.customer.language = "pt-br"
    tenant_a.customer.save()

    response = signed_in(api, tenant_a.customer).get(ME_URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_request_language_user_preference_wins_over_company(api, tenant_a):
    tenant_a.company.language = "pt-br"
    tenant_a.company.save()
    tenant_a.customer.language = "en"
    tenant_a.customer.save()

    response = signed_in(api, tenant_a.customer).get(ME_URL)

    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_request_language_falls_back_to_the_company(api, tenant_a):
    tenant_a.company.language = "en"
    tenant_a.company.save()

    response = signed_in(api, tenant_a.customer).get(ME_URL)

    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_request_language_of_a_session_user_follows_the_preference(client, tenant_a):
    tenant_a.customer.language = "en"
    tenant_a.customer.save()
    client.login(username=tenant_a.customer.email, password=PASSWORD)

    response = client.get(ME_URL)

    assert response.headers["Content-Language"] == "en"


def test_request_language_defaults_to_brazilian_portuguese(client):
    response = client.get("/api/feature-flags/localization/")

    assert response.headers["Content-Language"] == "pt-br"


def test_request_language_maps_regional_tags(client):
    portuguese = client.get(
        "/api/feature-flags/localization/", HTTP_ACCEPT_LANGUAGE="pt-PT"
    )
    english = client.get(
        "/api/feature-flags/localization/", HTTP_ACCEPT_LANGUAGE="en-GB"
    )
    unknown = client.get("/api/feature-flags/localization/", HTTP_ACCEPT_LANGUAGE="fr")

    assert [r.headers["Content-Language"] for r in (portuguese, english, unknown)] == [
        "pt-br",
        "en",
        "pt-br",
    ]


def test_pt_br_catalogue_holds_every_message_of_the_source(tmp_path):
    # makemessages run over a copy of the source: a message written in the
    # code but missing from the catalogue would appear as a new entry.
    root = Path(settings.BASE_DIR)
    for name in ("apps", "secretariaVirtual", "locale"):
        shutil.copytree(
            root / name, tmp_path / name, ignore=shutil.ignore_patterns("*.mo")
        )
    shutil.copy(root / "manage.py", tmp_path / "manage.py")

    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "pt_BR",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_ENV_FILE": os.devnull},
        check=True,
        capture_output=True,
    )

    extracted = {
        entry.msgid
        for entry in live_entries(tmp_path / "locale/pt_BR/LC_MESSAGES/django.po")
    }
    committed = {entry.msgid for entry in live_entries(PT_BR)}
    assert sorted(extracted - committed) == []
    assert sorted(committed - extracted) == []
