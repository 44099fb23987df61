"""Companies: listing, creating (super admin), reading and changing."""

import time_machine

from apps.companies.models import Company

COMPANIES = "/api/companies/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def company_url(company) -> str:
    return f"{COMPANIES}{company.id}/"


def test_companies_create_by_super_admin_uses_the_defaults(api, super_admin):
    response = api.as_user(super_admin).post(
        COMPANIES, {"name": "Studio Nove", "slug": "studio-nove"}
    )

    assert response.status_code == 201
    company = Company.objects.get(slug="studio-nove")
    assert response.json() == {
        "id": company.id,
        "name": "Studio Nove",
        "slug": "studio-nove",
        "timezone": "America/Sao_Paulo",
        "language": "pt-br",
        "currency": "BRL",
        "phone": "",
        "email": "",
        "requires_approval": False,
        "min_notice_minutes": 60,
        "booking_horizon_days": 60,
        "slot_interval_minutes": 15,
        "cancellation_notice_minutes": 120,
        "approval_deadline_minutes": 1440,
        "reminder_offsets_minutes": [1440, 120],
        "is_active": True,
    }


def test_companies_create_validates_fields(api, super_admin, tenant_a):
    body = {
        "name": "Bad",
        "slug": "alpha-co",
        "timezone": "Mars/Olympus",
        "currency": "R$1",
        "phone": "123",
        "slot_interval_minutes": 1,
        "reminder_offsets_minutes": [0, "x"],
    }

    response = api.as_user(super_admin).post(COMPANIES, body, **EN)

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {
            "slug": ["company with this slug already exists."],
            "timezone": ["Mars/Olympus is not a valid IANA timezone name."],
            "currency": ["Use a three-letter ISO 4217 code."],
            "phone": ["Enter a valid phone number."],
            "slot_interval_minutes": [
                "Ensure this value is greater than or equal to 5."
            ],
            "reminder_offsets_minutes": ["Give a list of minutes between 1 and 10080."],
        },
    }
    assert Company.objects.count() == 1


def test_companies_create_upper_cases_the_currency(api, super_admin):
    response = api.as_user(super_admin).post(
        COMPANIES, {"name": "Euro", "slug": "euro", "currency": "eur"}
    )

    assert response.json()["currency"] == "EUR"


def test_companies_update_refuses_a_currency_iso_4217_does_not_define(api, tenant_a):
    url = f"{COMPANIES}{tenant_a.company.pk}/"

    response = api.as_user(tenant_a.admin).patch(url, {"currency": "ZZZ"}, **EN)

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "currency": ["Use a three-letter ISO 4217 code."]
    }
    tenant_a.company.refresh_from_db()
    assert tenant_a.company.currency == "BRL"


def test_companies_update_by_admin(api, tenant_a):
    body = {
        "name": "Alpha Barbers",
        "timezone": "America/Manaus",
        "language": "en",
        "requires_approval": True,
        "reminder_offsets_minutes": [60],
    }

    response = api.as_user(tenant_a.admin).patch(company_url(tenant_a.company), body)

    assert response.status_code == 200
    tenant_a.company.refresh_from_db()
    assert (
        tenant_a.company.name,
        tenant_a.company.timezone,
        tenant_a.company.language,
        tenant_a.company.requires_approval,
        tenant_a.company.reminder_offsets_minutes,
    ) == ("Alpha Barbers", "America/Manaus", "en", True, [60])


def test_companies_update_rejects_wrong_types(api, tenant_a):
    body = {"min_notice_minutes": "soon", "requires_approval": "perhaps"}

    response = api.as_user(tenant_a.admin).patch(
        company_url(tenant_a.company), body, **EN
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "min_notice_minutes": ["A valid integer is required."],
        "requires_approval": ["Must be a valid boolean."],
    }


def test_companies_put_is_not_allowed(api, tenant_a):
    response = api.as_user(tenant_a.admin).put(
        company_url(tenant_a.company), {"name": "X", "slug": "x"}, **EN
    )

    assert response.status_code == 405
    assert response.json() == {
        "code": "method_not_allowed",
        "detail": "Method PUT is not allowed.",
    }


def test_companies_delete_is_not_allowed(api, super_admin, tenant_a):
    response = api.as_user(super_admin).delete(company_url(tenant_a.company), **EN)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert Company.objects.filter(pk=tenant_a.company.pk).exists()


def test_companies_statistics_of_an_empty_month(api, tenant_a):
    with time_machine.travel("2030-02-10 12:00:00-03:00", tick=False):
        response = api.as_user(tenant_a.manager).get(
            f"{company_url(tenant_a.company)}statistics/"
        )

    assert response.status_code == 200
    assert response.json() == {
        "date_from": "2030-02-01",
        "date_to": "2030-02-28",
        "appointments": {
            "total": 0,
            "pending": 0,
            "confirmed": 0,
            "completed": 0,
            "cancelled": 0,
            "rejected": 0,
            "no_show": 0,
        },
        "revenue": {"expected": "0.00", "received": "0.00", "currency": "BRL"},
        "occupancy_rate": 0.0,
        "booked_minutes": 0,
        "working_minutes": 0,
        "top_services": [],
        "top_actors": [],
    }


def test_companies_statistics_rejects_bad_dates(api, tenant_a):
    url = f"{company_url(tenant_a.company)}statistics/"
    client = api.as_user(tenant_a.admin)

    malformed = client.get(url, {"date_from": "10/02/2030"}, **EN)
    reversed_range = client.get(
        url, {"date_from": "2030-02-10", "date_to": "2030-02-01"}, **EN
    )
    too_long = client.get(
        url, {"date_from": "2030-01-01", "date_to": "2031-01-02"}, **EN
    )

    assert malformed.json()["fields"] == {"date_from": ["Use the format YYYY-MM-DD."]}
    assert reversed_range.json()["fields"] == {
        "date_to": ["The end date is before the start date."]
    }
    assert too_long.json()["fields"] == {
        "date_to": ["The range may span at most 366 days."]
    }


def test_companies_only_the_super_admin_switches_a_company_off(
    api, tenant_a, super_admin
):
    url = company_url(tenant_a.company)

    by_admin = api.as_user(tenant_a.admin).patch(url, {"is_active": False}, **EN)
    by_root = api.as_user(super_admin).patch(url, {"is_active": False})

    assert by_admin.status_code == 403
    assert by_root.status_code == 200
    tenant_a.company.refresh_from_db()
    assert tenant_a.company.is_active is False
