import re
from decimal import Decimal

import pytest

from apps.core.tests.factories import UserFactory
from apps.feature_flags.models import Exposure, Flag, Switch, Variant
from apps.feature_flags.services import is_enabled

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_site(client, super_admin):
    client.force_login(super_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def cell(html: str, field: str) -> list[str]:
    return re.findall(rf'<td class="field-{field}">([^<]*)</td>', html)


def test_flag_changelist_shows_exposure_counts_per_variant(admin_site, make_flag):
    flag = make_flag("coupons", percent=Decimal("50"))
    users = [UserFactory() for _ in range(5)]
    variants = [Variant.TREATMENT] * 3 + [Variant.CONTROL] * 2
    for user, variant in zip(users, variants, strict=True):
        Exposure.objects.create(flag=flag, user=user, variant=variant, percent=50)

    response = admin_site.get("/admin/feature_flags/flag/")

    html = response.content.decode()
    assert response.status_code == 200
    assert cell(html, "treatment_count") == ["3"]
    assert cell(html, "control_count") == ["2"]
    assert cell(html, "label") == ["Coupons"]


def test_flag_change_page_summarises_exposures(admin_site, make_flag, tenant_a):
    flag = make_flag("coupons", percent=Decimal("99.9"))
    is_enabled("coupons", user=tenant_a.customer)

    response = admin_site.get(f"/admin/feature_flags/flag/{flag.pk}/change/")

    assert "1 in treatment, 0 in control" in response.content.decode()


def test_flag_admin_action_turns_flags_off_for_everyone(admin_site, make_flag):
    coupons = make_flag("coupons", everyone=True)
    assert is_enabled("coupons") is True

    response = admin_site.post(
        "/admin/feature_flags/flag/",
        {"action": "turn_off_for_everyone", "_selected_action": [coupons.pk]},
    )

    assert response.status_code == 302
    assert Flag.objects.get(pk=coupons.pk).everyone is False
    assert is_enabled("coupons") is False


def test_exposure_admin_lists_but_never_edits(admin_site, make_flag, tenant_a):
    flag = make_flag("coupons", percent=Decimal("50"))
    exposure = Exposure.objects.create(
        flag=flag, user=tenant_a.customer, variant=Variant.CONTROL, percent=50
    )

    listing = admin_site.get("/admin/feature_flags/exposure/")
    adding = admin_site.get("/admin/feature_flags/exposure/add/")
    editing = admin_site.post(
        f"/admin/feature_flags/exposure/{exposure.pk}/change/",
        {"variant": "treatment"},
    )

    assert (listing.status_code, adding.status_code, editing.status_code) == (
        200,
        403,
        403,
    )
    assert Exposure.objects.get().variant == "control"


def test_switch_admin_action_turns_a_switch_on(admin_site):
    switch = Switch.objects.create(name="maintenance_banner")

    admin_site.post(
        "/admin/feature_flags/switch/",
        {"action": "turn_switches_on", "_selected_action": [switch.pk]},
    )

    assert Switch.objects.get().active is True


def test_sample_admin_page_renders(admin_site):
    response = admin_site.get("/admin/feature_flags/sample/")

    assert response.status_code == 200
