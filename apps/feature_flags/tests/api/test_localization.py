import pytest
from rest_framework.authtoken.models import Token

from apps.companies.models import Role
from apps.core.tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/feature-flags/localization/"
LANGUAGES_IN_PORTUGUESE = [
    {
        "code": "pt-br",
        "name": "Português (Brasil)",
        "date_format": "dd/MM/yyyy",
        "time_format": "HH:mm",
    },
    {
        "code": "en",
        "name": "Inglês",
        "date_format": "MM/dd/yyyy",
        "time_format": "h:mm a",
    },
]


def test_localization_for_anonymous_gives_portuguese_and_the_defaults(api):
    response = api.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "languages": LANGUAGES_IN_PORTUGUESE,
        "default_language": "pt-br",
        "current_language": "pt-br",
        "company": None,
        "company_language": None,
        "timezone": "America/Sao_Paulo",
        "currency": "BRL",
        "date_format": "dd/MM/yyyy",
        "time_format": "HH:mm",
        "datetime_format": "dd/MM/yyyy HH:mm",
        "first_weekday": 6,
        "decimal_separator": ",",
        "thousand_separator": ".",
    }


def test_localization_in_english_gives_english_formats_and_names(api):
    body = api.get(URL, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").json()

    assert body["current_language"] == "en"
    assert (body["date_format"], body["time_format"]) == ("MM/dd/yyyy", "h:mm a")
    assert (body["decimal_separator"], body["thousand_separator"]) == (".", ",")
    assert [language["name"] for language in body["languages"]] == [
        "Portuguese (Brazil)",
        "English",
    ]


def test_localization_uses_the_company_of_the_user(api, db):
    company = CompanyFactory(timezone="America/Manaus", currency="USD", language="en")
    customer = MembershipFactory(company=company, role=Role.CUSTOMER).user
    token = Token.objects.create(user=customer)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    body = api.get(URL).json()

    assert (body["company"], body["company_language"]) == (company.pk, "en")
    assert (body["timezone"], body["currency"]) == ("America/Manaus", "USD")
    # No Accept-Language and no preference of the user: the company's.
    assert body["current_language"] == "en"


def test_localization_with_company_parameter(api, tenant_a, tenant_b):
    tenant_b.company.timezone = "Europe/Lisbon"
    tenant_b.company.currency = "EUR"
    tenant_b.company.save()
    MembershipFactory(user=tenant_a.manager, company=tenant_b.company, role=Role.ADMIN)
    api.as_user(tenant_a.manager)

    body = api.get(URL, {"company": tenant_b.company.pk}).json()

    assert (body["company"], body["timezone"], body["currency"]) == (
        tenant_b.company.pk,
        "Europe/Lisbon",
        "EUR",
    )


def test_localization_for_a_company_the_user_cannot_see_is_404(api, tenant_a, tenant_b):
    api.as_user(tenant_a.customer)

    response = api.get(URL, {"company": tenant_b.company.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_localization_with_a_malformed_company_is_400(api, tenant_a):
    api.as_user(tenant_a.customer)

    response = api.get(URL, {"company": "abc"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["fields"] == {"company": ["A valid company id is required."]}


def test_localization_for_anonymous_ignores_the_company_parameter(api, tenant_a):
    body = api.get(URL, {"company": tenant_a.company.pk}).json()

    assert (body["company"], body["currency"]) == (None, "BRL")
