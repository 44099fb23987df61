"""API errors in the request's language: header, user, company, default."""

import time_machine
from rest_framework.authtoken.models import Token

NOT_FOUND_PT = {"code": "not_found", "detail": "Não encontrado."}
NOT_FOUND_EN = {"code": "not_found", "detail": "Not found."}
MISSING = "/api/companies/999999/"


def with_token(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=user).key}"}


def test_language_defaults_to_brazilian_portuguese(api, db):
    response = api.get("/api/companies/")

    assert response.json() == {
        "code": "not_authenticated",
        "detail": "As credenciais de autenticação não foram fornecidas.",
    }
    assert response["Content-Language"] == "pt-br"


def test_language_accept_language_english(api, db):
    response = api.get("/api/companies/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.json()["detail"] == "Authentication credentials were not provided."
    assert response["Content-Language"] == "en"


def test_language_unsupported_header_falls_back(api, db):
    response = api.get("/api/companies/", HTTP_ACCEPT_LANGUAGE="fr-FR, de;q=0.8")

    assert response["Content-Language"] == "pt-br"


def test_language_project_messages_are_translated(api, tenant_a):
    body = {"email": "admin@alpha.example.com", "password": "wrong"}

    pt = api.post("/api/auth/users/login/", body, HTTP_ACCEPT_LANGUAGE="pt-BR")
    en = api.post("/api/auth/users/login/", body, HTTP_ACCEPT_LANGUAGE="en")

    assert pt.json() == {
        "code": "invalid_credentials",
        "detail": "E-mail ou senha incorretos.",
    }
    assert en.json()["detail"] == "Email or password is incorrect."


def test_language_field_errors_are_translated(api, tenant_a):
    response = api.post("/api/auth/users/register/", {"company": "alpha-co"})

    assert response.json() == {
        "code": "validation_error",
        "detail": "Alguns campos não são válidos.",
        "fields": {
            "email": ["Este campo é obrigatório."],
            "name": ["Este campo é obrigatório."],
            "password": ["Este campo é obrigatório."],
        },
    }


def test_language_user_preference_through_a_real_token(api, tenant_a):
    tenant_a.admin.language = "en"
    tenant_a.admin.save(update_fields=["language"])

    response = api.get(MISSING, **with_token(tenant_a.admin))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_EN
    assert response["Content-Language"] == "en"


def test_language_header_wins_over_the_user(api, tenant_a):
    tenant_a.admin.language = "en"
    tenant_a.admin.save(update_fields=["language"])

    response = api.get(
        MISSING, HTTP_ACCEPT_LANGUAGE="pt-br", **with_token(tenant_a.admin)
    )

    assert response.json() == NOT_FOUND_PT


def test_language_company_language_when_the_user_has_none(api, tenant_a):
    tenant_a.company.language = "en"
    tenant_a.company.save(update_fields=["language"])

    response = api.get(MISSING, **with_token(tenant_a.customer))

    assert response.json() == NOT_FOUND_EN


def test_language_user_wins_over_the_company(api, tenant_a):
    tenant_a.company.language = "en"
    tenant_a.company.save(update_fields=["language"])
    tenant_a.customer.language = "pt-br"
    tenant_a.customer.save(update_fields=["language"])

    response = api.get(MISSING, **with_token(tenant_a.customer))

    assert response.json() == NOT_FOUND_PT


def test_language_session_user_preference(client, tenant_a):
    tenant_a.admin.language = "en"
    tenant_a.admin.save(update_fields=["language"])
    client.force_login(tenant_a.admin)

    response = client.get(MISSING)

    assert response.json() == NOT_FOUND_EN


def test_language_throttle_message_in_portuguese(api, tenant_a):
    body = {"email": "admin@alpha.example.com", "password": "wrong"}
    with time_machine.travel("2030-01-07 12:00:00+00:00", tick=False):
        for _attempt in range(5):
            api.post("/api/auth/users/login/", body)

        response = api.post("/api/auth/users/login/", body)

    assert response.status_code == 429
    assert response.json() == {
        "code": "throttled",
        "detail": "Muitas requisições. Tente novamente em 60 segundos.",
    }
