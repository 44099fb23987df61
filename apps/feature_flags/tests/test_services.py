from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.utils import translation

from apps.accounts.models import User
from apps.companies.models import Role
from apps.core.tests.factories import MembershipFactory, UserFactory
from apps.feature_flags import services
from apps.feature_flags.errors import FeatureDisabled
from apps.feature_flags.models import Exposure, Flag, Variant
from apps.feature_flags.registry import REGISTRY
from apps.feature_flags.services import is_enabled, require_feature

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()


# Personas ------------------------------------------------------------------


def test_is_enabled_for_anonymous_follows_everyone_and_ignores_targeting(
    make_flag, tenant_a, make_request
):
    make_flag("on_for_all", everyone=True)
    make_flag("off_for_all", everyone=False)
    make_flag("company_only", companies=[tenant_a.company])
    make_flag("signed_in_only", authenticated=True)
    request = make_request(query={"company": str(tenant_a.company.pk)})

    answers = {
        name: is_enabled(name, request=request)
        for name in ("on_for_all", "off_for_all", "company_only", "signed_in_only")
    }

    assert answers == {
        "on_for_all": True,
        "off_for_all": False,
        "company_only": False,
        "signed_in_only": False,
    }


def test_is_enabled_for_customer_uses_the_only_company(make_flag, tenant_a, tenant_b):
    make_flag("company_only", companies=[tenant_a.company])

    assert is_enabled("company_only", user=tenant_a.customer) is True
    assert is_enabled("company_only", user=tenant_b.customer) is False


def test_is_enabled_for_company_staff_uses_their_company(make_flag, tenant_a, tenant_b):
    make_flag("company_only", companies=[tenant_a.company])

    answers = [
        is_enabled("company_only", user=user)
        for user in (
            tenant_a.admin,
            tenant_a.manager,
            tenant_a.actor_user,
            tenant_b.admin,
            tenant_b.actor_user,
        )
    ]

    assert answers == [True, True, True, False, False]


def test_is_enabled_for_admin_site_staff_needs_the_staff_rule(make_flag):
    staff_user = UserFactory(is_staff=True)
    make_flag("staff_rule", staff=True)
    make_flag("no_staff_rule")

    assert is_enabled("staff_rule", user=staff_user) is True
    assert is_enabled("no_staff_rule", user=staff_user) is False


def test_is_enabled_for_super_admin_follows_the_superusers_rule(
    make_flag, super_admin, tenant_a
):
    make_flag("with_superusers", superusers=True, companies=[tenant_a.company])
    make_flag("without_superusers", superusers=False, companies=[tenant_a.company])
    make_flag("off_for_all", everyone=False, superusers=True)

    assert is_enabled("with_superusers", user=super_admin) is True
    assert is_enabled("without_superusers", user=super_admin) is False
    assert is_enabled("without_superusers", user=super_admin, company=tenant_a.company)
    assert is_enabled("off_for_all", user=super_admin) is False


def test_is_enabled_for_listed_users_and_groups(make_flag, tenant_a):
    testers = Group.objects.create(name="testers")
    tenant_a.other_customer.groups.add(testers)
    make_flag("by_user", users=[tenant_a.customer])
    make_flag("by_group", groups=[testers])

    assert is_enabled("by_user", user=tenant_a.customer) is True
    assert is_enabled("by_user", user=tenant_a.other_customer) is False
    assert is_enabled("by_group", user=tenant_a.other_customer) is True
    assert is_enabled("by_group", user=tenant_a.customer) is False


def test_is_enabled_for_signed_in_users_rule(make_flag, tenant_a):
    make_flag("signed_in", authenticated=True)

    assert is_enabled("signed_in", user=tenant_a.customer) is True
    assert is_enabled("signed_in", user=ANONYMOUS) is False


def test_is_enabled_for_request_language(make_flag, make_request):
    make_flag("english_only", languages="en")

    assert is_enabled("english_only", request=make_request(language="en")) is True
    assert is_enabled("english_only", request=make_request(language="pt-br")) is False


# Company targeting ----------------------------------------------------------


def test_is_enabled_company_targeted_flag_is_on_for_a_and_off_for_b(
    make_flag, tenant_a, tenant_b
):
    make_flag("pilot", companies=[tenant_a.company])

    assert is_enabled("pilot", company=tenant_a.company) is True
    assert is_enabled("pilot", company=tenant_b.company) is False
    assert is_enabled("pilot", company=tenant_a.company.pk) is True
    assert is_enabled("pilot", company=tenant_b.company.pk) is False


def test_is_enabled_reads_the_company_query_parameter(
    make_flag, tenant_a, tenant_b, make_request
):
    user = UserFactory()
    MembershipFactory(user=user, company=tenant_a.company, role=Role.CUSTOMER)
    MembershipFactory(user=user, company=tenant_b.company, role=Role.CUSTOMER)
    make_flag("pilot", companies=[tenant_a.company])

    for_a = make_request(user, query={"company": str(tenant_a.company.pk)})
    for_b = make_request(user, query={"company": str(tenant_b.company.pk)})
    unnamed = make_request(user)

    assert is_enabled("pilot", request=for_a) is True
    assert is_enabled("pilot", request=for_b) is False
    assert is_enabled("pilot", request=unnamed) is False


def test_is_enabled_ignores_a_company_the_user_cannot_see(
    make_flag, tenant_a, tenant_b, make_request
):
    make_flag("pilot", companies=[tenant_a.company])
    request = make_request(
        tenant_b.customer, query={"company": str(tenant_a.company.pk)}
    )

    assert is_enabled("pilot", request=request) is False


def test_is_enabled_explicit_company_wins_over_the_request(
    make_flag, tenant_a, tenant_b, make_request
):
    make_flag("pilot", companies=[tenant_a.company])
    request = make_request(tenant_b.customer)

    assert is_enabled("pilot", company=tenant_a.company, request=request) is True


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_is_enabled_each_registry_flag_off_for_a_company_and_on_otherwise(
    name, make_flag, tenant_a, tenant_b
):
    no_row = is_enabled(name, company=tenant_a.company, user=tenant_a.customer)
    make_flag(name, companies=[tenant_b.company])

    off_for_a = is_enabled(name, company=tenant_a.company, user=tenant_a.customer)
    on_for_b = is_enabled(name, company=tenant_b.company, user=tenant_b.customer)

    assert (no_row, off_for_a, on_for_b) == (True, False, True)


# Environment variable, registry defaults ---------------------------------------


def test_is_enabled_environment_variable_overrides_the_row(
    make_flag, tenant_a, monkeypatch
):
    make_flag("coupons", everyone=False)
    make_flag("dynamic_pricing", everyone=True)
    monkeypatch.setenv("FEATURE_FLAG_COUPONS", "on")
    monkeypatch.setenv("FEATURE_FLAG_DYNAMIC_PRICING", "OFF")

    assert is_enabled("coupons", user=tenant_a.customer) is True
    assert is_enabled("dynamic_pricing", user=tenant_a.customer) is False


def test_is_enabled_environment_variable_overrides_the_registry_default(monkeypatch):
    monkeypatch.setenv("FEATURE_FLAG_COUPONS", "off")

    assert is_enabled("coupons") is False


def test_is_enabled_ignores_an_unreadable_environment_variable(make_flag, monkeypatch):
    make_flag("coupons", everyone=False)
    monkeypatch.setenv("FEATURE_FLAG_COUPONS", "maybe")

    assert is_enabled("coupons") is False


def test_is_enabled_without_row_uses_the_test_default():
    answers = {name: is_enabled(name) for name in REGISTRY}

    assert answers == dict.fromkeys(REGISTRY, True)


def test_is_enabled_without_row_uses_the_production_defaults(settings):
    settings.ENVIRONMENT = "production"

    answers = {name: is_enabled(name) for name in REGISTRY}

    assert answers == {
        "customer_self_booking": True,
        "appointment_approval": True,
        "recurring_appointments": False,
        "coupons": False,
        "dynamic_pricing": False,
        "whatsapp_notifications": False,
        "email_notifications": True,
        "websocket_notifications": True,
        "appointment_reminders": True,
        "google_calendar_sync": False,
    }


def test_is_enabled_unknown_flag_without_row_is_off():
    assert is_enabled("no_such_flag") is False


# require_feature ------------------------------------------------------------


def test_require_feature_passes_when_on(make_flag, tenant_a):
    make_flag("coupons", companies=[tenant_a.company])

    require_feature("coupons", company=tenant_a.company)


def test_require_feature_refuses_with_403_feature_disabled(make_flag, tenant_b):
    make_flag("coupons", everyone=False)

    with translation.override("en"), pytest.raises(FeatureDisabled) as raised:
        require_feature("coupons", company=tenant_b.company)

    assert raised.value.status_code == 403
    assert raised.value.code == "feature_disabled"
    assert raised.value.message == "The feature “Coupons” is not enabled."
    assert raised.value.extra == {"feature": "coupons"}


def test_require_feature_message_is_in_portuguese(make_flag):
    make_flag("recurring_appointments", everyone=False)

    with translation.override("pt-br"), pytest.raises(FeatureDisabled) as raised:
        require_feature("recurring_appointments")

    assert raised.value.message == (
        "O recurso “Agendamentos recorrentes” não está habilitado."
    )


# Caching -------------------------------------------------------------------


def test_is_enabled_sees_a_saved_change_at_once(make_flag, tenant_a):
    flag = make_flag("coupons", everyone=False)
    assert is_enabled("coupons", user=tenant_a.customer) is False

    flag.everyone = True
    flag.save()

    assert is_enabled("coupons", user=tenant_a.customer) is True


def test_is_enabled_sees_a_company_added_or_removed_at_once(make_flag, tenant_a):
    flag = make_flag("coupons")
    assert is_enabled("coupons", company=tenant_a.company) is False

    flag.companies.add(tenant_a.company)
    added = is_enabled("coupons", company=tenant_a.company)
    tenant_a.company.feature_flags.clear()
    cleared = is_enabled("coupons", company=tenant_a.company)

    assert (added, cleared) == (True, False)


def test_is_enabled_sees_a_deleted_row_at_once(make_flag):
    flag = make_flag("coupons", everyone=False)
    assert is_enabled("coupons") is False

    flag.delete()

    assert is_enabled("coupons") is True


def test_is_enabled_reads_rows_from_the_cache(
    make_flag, tenant_a, django_assert_num_queries
):
    make_flag("coupons", companies=[tenant_a.company])
    is_enabled("coupons", company=tenant_a.company)

    with django_assert_num_queries(0):
        answer = is_enabled("coupons", company=tenant_a.company)

    assert answer is True


def test_is_enabled_answers_a_repeated_question_from_the_request(
    make_flag, tenant_a, make_request, django_assert_num_queries
):
    make_flag("coupons", percent=Decimal("50"))
    request = make_request(tenant_a.customer)
    first = is_enabled("coupons", request=request)
    cache.clear()

    with django_assert_num_queries(0):
        second = is_enabled("coupons", request=request)

    assert second == first


def test_waffle_flag_is_active_agrees_with_is_enabled(
    make_flag, tenant_a, make_request
):
    import waffle

    make_flag("pilot", companies=[tenant_a.company])

    assert waffle.flag_is_active(make_request(tenant_a.customer), "pilot") is True
    assert waffle.flag_is_active(make_request(ANONYMOUS), "pilot") is False
    assert waffle.flag_is_active(make_request(ANONYMOUS), "coupons") is True


# A/B rollout and exposures ------------------------------------------------------


@pytest.fixture
def thousand_users(db) -> list[User]:
    User.objects.bulk_create(User(email=f"ab{i}@example.com") for i in range(1000))
    return list(User.objects.filter(email__startswith="ab").order_by("pk"))


def test_is_enabled_50_percent_puts_45_to_55_percent_in_the_variant(
    make_flag, thousand_users
):
    make_flag("coupons", percent=Decimal("50"))

    answers = [is_enabled("coupons", user=user) for user in thousand_users]

    assert 450 <= sum(answers) <= 550


def test_is_enabled_gives_each_user_the_same_answer_on_every_call(
    make_flag, thousand_users, make_request
):
    make_flag("coupons", percent=Decimal("50"))

    first = [is_enabled("coupons", user=user) for user in thousand_users]
    cache.clear()
    # A fresh request per call, as from another device or an API token.
    second = [
        is_enabled("coupons", request=make_request(user)) for user in thousand_users
    ]

    assert first == second


def test_is_enabled_records_one_exposure_per_user_and_variant(
    make_flag, thousand_users
):
    flag = make_flag("coupons", percent=Decimal("50"))

    answers = [is_enabled("coupons", user=user) for user in thousand_users]

    treatment = Exposure.objects.filter(flag=flag, variant=Variant.TREATMENT).count()
    control = Exposure.objects.filter(flag=flag, variant=Variant.CONTROL).count()
    assert (treatment, control) == (sum(answers), 1000 - sum(answers))


def test_is_enabled_records_an_exposure_once_per_user(
    make_flag, tenant_a, make_request
):
    flag = make_flag("coupons", percent=Decimal("50"))

    for _ in range(3):
        is_enabled("coupons", request=make_request(tenant_a.customer))
        # Without the cache marker the database row is found again.
        cache.clear()

    exposures = list(
        Exposure.objects.filter(flag=flag).values_list(
            "user_id", "company_id", "percent"
        )
    )
    assert exposures == [(tenant_a.customer.pk, tenant_a.company.pk, Decimal("50.0"))]


def test_exposure_record_keeps_the_first_variant(make_flag, tenant_a):
    flag = make_flag("coupons", percent=Decimal("50"))

    first = services.exposure_record(
        flag=flag, user=tenant_a.customer, company_id=None, variant=Variant.CONTROL
    )
    cache.clear()
    second = services.exposure_record(
        flag=flag, user=tenant_a.customer, company_id=None, variant=Variant.TREATMENT
    )

    assert (first, second) == (True, False)
    assert list(Exposure.objects.values_list("variant", flat=True)) == ["control"]


def test_is_enabled_records_no_exposure_when_the_percentage_did_not_decide(
    make_flag, tenant_a, make_request
):
    make_flag("everyone_on", everyone=True, percent=Decimal("50"))
    make_flag("company_on", companies=[tenant_a.company], percent=Decimal("50"))
    make_flag("anonymous_split", percent=Decimal("50"))

    is_enabled("everyone_on", user=tenant_a.customer)
    is_enabled("company_on", user=tenant_a.customer)
    is_enabled("anonymous_split", request=make_request(ANONYMOUS))

    assert Exposure.objects.count() == 0


def test_is_enabled_anonymous_split_is_kept_in_a_cookie(make_flag, make_request):
    make_flag("anonymous_split", percent=Decimal("50"))
    request = make_request(ANONYMOUS)
    request.COOKIES["dwf_anonymous_split"] = "True"

    assert is_enabled("anonymous_split", request=request) is True


def test_is_enabled_testing_mode_lets_a_tester_force_the_flag(make_flag, make_request):
    make_flag("coupons", everyone=None, testing=True)

    forced_on = make_request(query={"dwft_coupons": "1"})
    answer = is_enabled("coupons", request=forced_on)

    assert answer is True
    assert forced_on.waffle_tests == {"coupons": True}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_exposure_record_concurrent_first_requests_write_one_row(tenant_a):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    flag = Flag.objects.create(name="coupons", percent=Decimal("50"))
    user = tenant_a.customer

    def record(_index):
        try:
            return services.exposure_record(
                flag=flag, user=user, company_id=None, variant=Variant.CONTROL
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(record, range(8)))

    assert results.count(True) == 1
    assert Exposure.objects.filter(flag=flag, user=user).count() == 1
