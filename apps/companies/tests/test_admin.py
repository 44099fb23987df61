"""Memberships edited in the Django admin keep tenancy and an admin."""

import pytest
from django.utils import translation

from apps.companies.models import Membership, Role
from apps.core.tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_site(client, super_admin):
    client.force_login(super_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def change_url(membership) -> str:
    return f"/admin/companies/membership/{membership.pk}/change/"


def form_errors(response) -> dict:
    with translation.override("en"):
        return {
            field: [str(message) for message in messages]
            for field, messages in response.context["adminform"].form.errors.items()
        }


def membership_data(membership, **changes) -> dict:
    data = {
        "user": membership.user_id,
        "company": membership.company_id,
        "role": membership.role,
        "is_active": "on" if membership.is_active else "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


def test_admin_membership_with_an_actor_profile_stays_in_its_company(
    admin_site, tenant_a, tenant_b
):
    membership = Membership.objects.get(
        user=tenant_a.actor_user, company=tenant_a.company
    )

    response = admin_site.post(
        change_url(membership), membership_data(membership, company=tenant_b.company.id)
    )

    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": [
            "A membership with an actor profile cannot move to another company or user."
        ]
    }
    membership.refresh_from_db()
    assert membership.company_id == tenant_a.company.id


@pytest.mark.parametrize("change", [{"role": Role.MANAGER}, {"is_active": ""}])
def test_admin_membership_keeps_the_last_admin(admin_site, tenant_a, change):
    membership = Membership.objects.get(user=tenant_a.admin, company=tenant_a.company)

    response = admin_site.post(
        change_url(membership), membership_data(membership, **change)
    )

    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": [
            "The company must keep at least one admin; make someone else admin first."
        ]
    }
    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == (Role.ADMIN, True)


def test_admin_membership_demotes_an_admin_when_another_remains(admin_site, tenant_a):
    Membership.objects.filter(user=tenant_a.manager).update(role=Role.ADMIN)
    membership = Membership.objects.get(user=tenant_a.admin, company=tenant_a.company)

    response = admin_site.post(
        change_url(membership), membership_data(membership, role=Role.MANAGER)
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def delete_url(membership) -> str:
    return f"/admin/companies/membership/{membership.pk}/delete/"


def test_admin_cannot_delete_a_companys_last_admin(admin_site, tenant_a):
    membership = Membership.objects.get(user=tenant_a.admin)

    page = admin_site.get(delete_url(membership))
    posted = admin_site.post(delete_url(membership), {"post": "yes"})

    assert (page.status_code, posted.status_code) == (403, 403)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_deletes_an_admin_who_is_not_the_last(admin_site, tenant_a):
    second = Membership.objects.get(
        user=member(tenant_a.company, Role.ADMIN, email="admin2@alpha.example.com")
    )

    response = admin_site.post(delete_url(second), {"post": "yes"})

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=second.pk).exists()


def test_admin_membership_list_offers_no_bulk_delete(admin_site, tenant_a):
    response = admin_site.get("/admin/companies/membership/")

    assert response.status_code == 200
    # Delete was its only action: the list shows no action form at all.
    assert response.context["action_form"] is None
