from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.feature_flags.models import Flag
from apps.feature_flags.registry import REGISTRY
from apps.feature_flags.services import is_enabled

pytestmark = pytest.mark.django_db


def init(*args) -> str:
    out = StringIO()
    call_command("init_feature_flags", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        flag.name: (flag.everyone, flag.superusers, flag.percent, flag.modified)
        for flag in Flag.objects.all()
    }


def test_init_feature_flags_creates_every_registry_flag_with_test_defaults():
    output = init()

    assert set(Flag.objects.values_list("name", flat=True)) == set(REGISTRY)
    assert set(Flag.objects.values_list("everyone", flat=True)) == {True}
    assert output.splitlines()[-1] == "10 created, 0 kept (test defaults)."
    assert "created coupons (on)" in output.splitlines()


def test_init_feature_flags_twice_changes_nothing():
    init()
    before = snapshot()

    output = init()

    assert snapshot() == before
    assert Flag.objects.count() == 10
    assert output == "0 created, 10 kept (test defaults).\n"


def test_init_feature_flags_keeps_a_flag_changed_in_the_admin(
    client, super_admin, tenant_a
):
    init()
    coupons = Flag.objects.get(name="coupons")
    client.force_login(super_admin)
    response = client.post(
        f"/admin/feature_flags/flag/{coupons.pk}/change/",
        {
            "name": "coupons",
            "note": "pilot with Alpha",
            "everyone": "unknown",
            "companies": [tenant_a.company.pk],
            "users": "",
            "languages": "",
            "percent": "",
        },
    )
    assert response.status_code == 302
    changed = snapshot()["coupons"]

    init()

    coupons.refresh_from_db()
    assert snapshot()["coupons"] == changed
    assert coupons.everyone is None
    assert coupons.note == "pilot with Alpha"
    assert list(coupons.companies.all()) == [tenant_a.company]


def test_init_feature_flags_recreates_only_a_deleted_flag():
    init()
    Flag.objects.get(name="coupons").delete()
    Flag.objects.filter(name="dynamic_pricing").update(everyone=False)

    output = init()

    assert output.splitlines() == [
        "created coupons (on)",
        "1 created, 9 kept (test defaults).",
    ]
    assert Flag.objects.get(name="dynamic_pricing").everyone is False


def test_init_feature_flags_production_defaults_leave_off_flags_off_for_all(
    super_admin, tenant_a
):
    output = init("--environment", "production")

    states = dict(Flag.objects.values_list("name", "everyone"))
    assert states == {
        "customer_self_booking": True,
        "appointment_approval": True,
        "recurring_appointments": None,
        "coupons": None,
        "dynamic_pricing": None,
        "whatsapp_notifications": None,
        "email_notifications": True,
        "websocket_notifications": True,
        "appointment_reminders": True,
        "google_calendar_sync": None,
    }
    assert is_enabled("coupons", user=super_admin) is False
    assert is_enabled("coupons", user=tenant_a.admin) is False
    assert output.splitlines()[-1] == "10 created, 0 kept (production defaults)."


def test_init_feature_flags_uses_settings_environment(settings):
    settings.ENVIRONMENT = "production"

    init()

    assert Flag.objects.get(name="google_calendar_sync").everyone is None


def test_init_feature_flags_refuses_an_unknown_environment():
    with pytest.raises(CommandError, match="Unknown environment 'staging'"):
        init("--environment", "staging")

    assert Flag.objects.count() == 0
