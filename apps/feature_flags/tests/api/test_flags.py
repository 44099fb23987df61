from decimal import Decimal

import pytest

from apps.companies.models import Role
from apps.core.tests.factories import MembershipFactory
from apps.feature_flags.models import Exposure, Flag, Switch
from apps.feature_flags.registry import REGISTRY

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
URL = "/api/feature-flags/flags/"
ACTIVE_URL = "/api/feature-flags/flags/active/"


def test_flags_list_as_super_admin_shows_rollout_settings(
    api, super_admin, make_flag, tenant_a, django_assert_num_queries
):
    flag = make_flag(
        "coupons", percent=Decimal("25.5"), companies=[tenant_a.company], note="pilot"
    )
    make_flag("dynamic_pricing", everyone=True)
    api.as_user(super_admin)

    with django_assert_num_queries(5):
        response = api.get(URL, **EN)

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    assert [row["name"] for row in body["results"]] == ["coupons", "dynamic_pricing"]
    coupons = body["results"][0]
    assert coupons == {
        "id": flag.pk,
        "name": "coupons",
        "label": "Coupons",
        "description": "Customers apply discount coupons when booking.",
        "is_registered": True,
        "default": True,
        "everyone": None,
        "percent": "25.5",
        "testing": False,
        "superusers": False,
        "staff": False,
        "authenticated": False,
        "languages": "",
        "rollout": False,
        "note": "pilot",
        "companies": [tenant_a.company.pk],
        "users": [],
        "groups": [],
        "exposures": {"treatment": 0, "control": 0},
        "created": coupons["created"],
        "modified": coupons["modified"],
    }


@pytest.mark.parametrize("role", ["admin", "manager", "actor_user", "customer"])
def test_flags_list_refuses_company_members(api, tenant_a, role):
    api.as_user(getattr(tenant_a, role))

    response = api.get(URL, **EN)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_flags_list_refuses_anonymous(api):
    response = api.get(URL, **EN)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_flags_patch_refuses_a_company_admin(api, tenant_a, make_flag):
    make_flag("coupons", everyone=True)
    api.as_user(tenant_a.admin)

    response = api.patch(f"{URL}coupons/", {"everyone": False}, **EN)

    assert response.status_code == 403
    assert Flag.objects.get(name="coupons").everyone is True


def test_flags_create_returns_the_new_flag(api, super_admin, tenant_b):
    api.as_user(super_admin)

    response = api.post(
        URL,
        {
            "name": "new_dashboard",
            "percent": "10.0",
            "companies": [tenant_b.company.pk],
            "note": "first week",
        },
        **EN,
    )

    body = response.json()
    assert response.status_code == 201
    assert body["name"] == "new_dashboard"
    assert (body["label"], body["is_registered"], body["default"]) == (
        None,
        False,
        None,
    )
    assert (body["percent"], body["companies"], body["everyone"]) == (
        "10.0",
        [tenant_b.company.pk],
        None,
    )
    flag = Flag.objects.get(name="new_dashboard")
    assert list(flag.companies.all()) == [tenant_b.company]


def test_flags_create_with_the_same_idempotency_key_creates_once(api, super_admin):
    api.as_user(super_admin)
    headers = {"HTTP_IDEMPOTENCY_KEY": "flag-1", **EN}

    first = api.post(URL, {"name": "new_dashboard"}, **headers)
    second = api.post(URL, {"name": "new_dashboard"}, **headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert Flag.objects.filter(name="new_dashboard").count() == 1


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"name": "New-Flag"},
            "name",
            "Use lower-case letters, digits and underscores, starting with a letter.",
        ),
        ({"name": "active"}, "name", "This name is reserved."),
        (
            {"name": "pilot", "percent": "100"},
            "percent",
            "Ensure that there are no more than 2 digits before the decimal point.",
        ),
        (
            {"name": "pilot", "languages": "pt-br,es"},
            "languages",
            "Unknown language codes: es.",
        ),
        (
            {"name": "pilot", "companies": [999999]},
            "companies",
            'Invalid pk "999999" - object does not exist.',
        ),
    ],
)
def test_flags_create_rejects_bad_input(api, super_admin, payload, field, message):
    api.as_user(super_admin)

    response = api.post(URL, payload, **EN)

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "validation_error"
    assert body["fields"] == {field: [message]}
    assert Flag.objects.count() == 0


def test_flags_create_rejects_a_taken_name(api, super_admin, make_flag):
    make_flag("coupons")
    api.as_user(super_admin)

    response = api.post(URL, {"name": "coupons"}, **EN)

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "name": ["feature flag with this name already exists."]
    }


def test_flags_retrieve_by_name(api, super_admin, make_flag, tenant_a):
    flag = make_flag("coupons", percent=Decimal("50"))
    Exposure.objects.create(
        flag=flag, user=tenant_a.customer, variant="treatment", percent=50
    )
    api.as_user(super_admin)

    response = api.get(f"{URL}coupons/", **EN)

    assert response.status_code == 200
    assert response.json()["exposures"] == {"treatment": 1, "control": 0}


def test_flags_retrieve_unknown_name_is_404(api, super_admin):
    api.as_user(super_admin)

    response = api.get(f"{URL}no_such_flag/", **EN)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_flags_patch_targets_one_company_and_takes_effect_at_once(
    api, super_admin, make_flag, tenant_a, tenant_b
):
    make_flag("coupons", everyone=True)
    api.as_user(super_admin)

    response = api.patch(
        f"{URL}coupons/",
        {"everyone": None, "companies": [tenant_a.company.pk], "name": "renamed"},
        **EN,
    )
    for_a = api.as_user(tenant_a.customer).get(ACTIVE_URL, **EN).json()
    for_b = api.as_user(tenant_b.customer).get(ACTIVE_URL, **EN).json()

    assert response.status_code == 200
    assert response.json()["name"] == "coupons"
    assert response.json()["companies"] == [tenant_a.company.pk]
    assert for_a["flags"]["coupons"] is True
    assert for_b["flags"]["coupons"] is False


def test_flags_put_is_not_allowed(api, super_admin, make_flag):
    make_flag("coupons")
    api.as_user(super_admin)

    response = api.put(f"{URL}coupons/", {"everyone": True}, **EN)

    assert response.status_code == 405


# flags/active/ ---------------------------------------------------------------


def test_flags_active_for_anonymous_uses_registry_defaults_and_switches(api):
    Switch.objects.create(name="maintenance_banner", active=True)
    Switch.objects.create(name="holiday_theme", active=False)

    response = api.get(ACTIVE_URL, **EN)

    assert response.status_code == 200
    assert response.json() == {
        "company": None,
        "flags": dict.fromkeys(sorted(REGISTRY), True),
        "switches": {"holiday_theme": False, "maintenance_banner": True},
    }


def test_flags_active_includes_flags_outside_the_registry(api, make_flag):
    make_flag("new_dashboard", everyone=True)
    make_flag("coupons", everyone=False)

    flags = api.get(ACTIVE_URL, **EN).json()["flags"]

    assert (flags["new_dashboard"], flags["coupons"], len(flags)) == (True, False, 11)


def test_flags_active_for_customer_answers_for_their_company(
    api, make_flag, tenant_a, tenant_b
):
    make_flag("coupons", companies=[tenant_a.company])

    for_a = api.as_user(tenant_a.customer).get(ACTIVE_URL, **EN).json()
    for_b = api.as_user(tenant_b.customer).get(ACTIVE_URL, **EN).json()

    assert (for_a["company"], for_a["flags"]["coupons"]) == (tenant_a.company.pk, True)
    assert (for_b["company"], for_b["flags"]["coupons"]) == (tenant_b.company.pk, False)


def test_flags_active_for_staff_and_super_admin(
    api, make_flag, tenant_a, tenant_b, super_admin
):
    make_flag("coupons", companies=[tenant_b.company], superusers=True)

    actor = api.as_user(tenant_a.actor_user).get(ACTIVE_URL, **EN).json()
    manager_b = api.as_user(tenant_b.manager).get(ACTIVE_URL, **EN).json()
    root = api.as_user(super_admin).get(ACTIVE_URL, **EN).json()

    assert (actor["flags"]["coupons"], manager_b["flags"]["coupons"]) == (False, True)
    assert (root["company"], root["flags"]["coupons"]) == (None, True)


def test_flags_active_with_company_parameter(api, make_flag, tenant_a, tenant_b):
    user = tenant_a.manager
    MembershipFactory(user=user, company=tenant_b.company, role=Role.CUSTOMER)
    make_flag("coupons", companies=[tenant_b.company])
    api.as_user(user)

    named = api.get(ACTIVE_URL, {"company": tenant_b.company.pk}, **EN).json()
    unnamed = api.get(ACTIVE_URL, **EN).json()

    assert (named["company"], named["flags"]["coupons"]) == (tenant_b.company.pk, True)
    assert (unnamed["company"], unnamed["flags"]["coupons"]) == (None, False)


def test_flags_active_for_another_company_is_404(api, tenant_a, tenant_b):
    api.as_user(tenant_a.customer)

    response = api.get(ACTIVE_URL, {"company": tenant_b.company.pk}, **EN)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_flags_active_records_the_exposure_of_an_ab_flag(api, make_flag, tenant_a):
    flag = make_flag("coupons", percent=Decimal("50"))
    api.as_user(tenant_a.customer)

    first = api.get(ACTIVE_URL, **EN).json()["flags"]["coupons"]
    second = api.get(ACTIVE_URL, **EN).json()["flags"]["coupons"]

    exposure = Exposure.objects.get(flag=flag)
    assert first == second
    assert exposure.variant == ("treatment" if first else "control")
    assert (exposure.user, exposure.company) == (tenant_a.customer, tenant_a.company)


def test_flags_active_reads_rows_from_the_cache(
    api, make_flag, tenant_a, django_assert_num_queries
):
    make_flag("coupons", companies=[tenant_a.company])
    api.as_user(tenant_a.customer)
    api.get(ACTIVE_URL, **EN)

    # One query: the customer's memberships, loaded once per request.
    with django_assert_num_queries(1):
        response = api.get(ACTIVE_URL, **EN)

    assert response.json()["flags"]["coupons"] is True
