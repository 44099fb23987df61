"""Company members: adding people with a role, changing and removing them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.appointments.models import Actor, Appointment
from apps.companies.models import Membership, Role
from apps.core.tests.factories import (
    CompanyFactory,
    MembershipFactory,
    ServiceFactory,
    UserFactory,
)

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def members_url(company) -> str:
    return f"/api/companies/{company.id}/members/"


def member_url(company, membership) -> str:
    return f"{members_url(company)}{membership.id}/"


def membership_of(user, company) -> Membership:
    return Membership.objects.get(user=user, company=company)


def test_members_list_is_ordered_by_role_then_email(api, tenant_a):
    response = api.as_user(tenant_a.manager).get(members_url(tenant_a.company))

    assert response.status_code == 200
    assert [
        (row["role"], row["user"]["email"]) for row in response.json()["results"]
    ] == [
        ("actor", "actor@alpha.example.com"),
        ("admin", "admin@alpha.example.com"),
        ("customer", "customer2@alpha.example.com"),
        ("customer", "customer@alpha.example.com"),
        ("manager", "manager@alpha.example.com"),
    ]


def test_members_list_filters_by_role(api, tenant_a):
    response = api.as_user(tenant_a.admin).get(
        members_url(tenant_a.company), {"role": "actor"}
    )

    rows = response.json()["results"]
    assert [(row["user"]["id"], row["actor_id"]) for row in rows] == [
        (tenant_a.actor_user.id, tenant_a.actor.id)
    ]


def test_members_create_by_email_makes_an_actor_profile(api, tenant_a):
    person = UserFactory(email="barber@example.com", name="Zé Barbeiro")

    response = api.as_user(tenant_a.manager).post(
        members_url(tenant_a.company), {"email": "BARBER@example.com", "role": "actor"}
    )

    assert response.status_code == 201
    actor = Actor.objects.get(user=person, company=tenant_a.company)
    body = response.json()
    assert (body["role"], body["user"], body["actor_id"], body["is_active"]) == (
        "actor",
        {"id": person.id, "email": "barber@example.com", "name": "Zé Barbeiro"},
        actor.id,
        True,
    )
    assert (actor.display_name, actor.is_bookable) == ("Zé Barbeiro", True)


def test_members_create_by_user_id_of_a_person_the_admin_sees(api, tenant_a):
    other_company = CompanyFactory(name="Gamma Co", slug="gamma-co")
    MembershipFactory(user=tenant_a.admin, company=other_company, role=Role.ADMIN)
    person = UserFactory(email="gamma.client@example.com", name="Gamma Client")
    MembershipFactory(user=person, company=other_company, role=Role.CUSTOMER)

    response = api.as_user(tenant_a.admin).post(
        members_url(tenant_a.company), {"user": person.id, "role": "customer"}
    )

    assert response.status_code == 201
    assert response.json()["user"] == {
        "id": person.id,
        "email": "gamma.client@example.com",
        "name": "Gamma Client",
    }
    assert membership_of(person, tenant_a.company).role == "customer"


def test_members_create_by_id_of_another_companys_user_is_404(api, tenant_a, tenant_b):
    response = api.as_user(tenant_a.admin).post(
        members_url(tenant_a.company),
        {"user": tenant_b.manager.id, "role": "customer"},
        **EN,
    )

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}
    assert not Membership.objects.filter(
        user=tenant_b.manager, company=tenant_a.company
    ).exists()


def test_members_create_unknown_and_invisible_ids_answer_alike(api, tenant_a, tenant_b):
    client = api.as_user(tenant_a.manager)
    unknown_id = User.objects.order_by("-id").first().id + 1

    invisible = client.post(
        members_url(tenant_a.company),
        {"user": tenant_b.customer.id, "role": "customer"},
        **EN,
    )
    unknown = client.post(
        members_url(tenant_a.company), {"user": unknown_id, "role": "customer"}, **EN
    )

    assert (invisible.status_code, unknown.status_code) == (404, 404)
    assert (
        invisible.json()
        == unknown.json()
        == {
            "code": "not_found",
            "detail": "Not found.",
        }
    )


def test_members_create_by_email_of_another_companys_customer(api, tenant_a, tenant_b):
    response = api.as_user(tenant_a.admin).post(
        members_url(tenant_a.company),
        {"email": "customer@beta.example.com", "role": "customer"},
    )

    assert response.status_code == 201
    assert response.json()["user"]["id"] == tenant_b.customer.id
    assert membership_of(tenant_b.customer, tenant_a.company).role == "customer"
    assert membership_of(tenant_b.customer, tenant_b.company).role == "customer"


def test_members_create_by_id_super_admin_sees_everyone(
    api, super_admin, tenant_a, tenant_b
):
    response = api.as_user(super_admin).post(
        members_url(tenant_a.company),
        {"user": tenant_b.customer.id, "role": "customer"},
    )

    assert response.status_code == 201
    assert membership_of(tenant_b.customer, tenant_a.company).role == "customer"


def test_members_create_needs_user_or_email(api, tenant_a):
    client = api.as_user(tenant_a.admin)

    neither = client.post(members_url(tenant_a.company), {"role": "actor"}, **EN)
    both = client.post(
        members_url(tenant_a.company),
        {"user": 1, "email": "a@example.com", "role": "actor"},
        **EN,
    )

    assert neither.json()["fields"] == {"user": ["Give either user or email."]}
    assert both.json()["fields"] == {"user": ["Give either user or email."]}


def test_members_create_unknown_or_inactive_user(api, tenant_a):
    inactive = UserFactory(email="gone@example.com", is_active=False)
    client = api.as_user(tenant_a.admin)

    unknown = client.post(
        members_url(tenant_a.company), {"email": "nobody@x.com", "role": "actor"}, **EN
    )
    deactivated = client.post(
        members_url(tenant_a.company),
        {"email": "gone@example.com", "role": "actor"},
        **EN,
    )
    deactivated_by_id = client.post(
        members_url(tenant_a.company), {"user": inactive.id, "role": "actor"}, **EN
    )

    assert (unknown.status_code, deactivated.status_code) == (400, 400)
    assert unknown.json()["fields"] == {"user": ["No active user matches."]}
    assert deactivated.json()["fields"] == {"user": ["No active user matches."]}
    assert deactivated_by_id.status_code == 404


def test_members_create_by_id_sees_nobody_through_a_customer_membership(
    api, tenant_a, tenant_b
):
    # Tenant A's admin is also a customer of B: that shows her none of B's
    # people, exactly as the users endpoint does not.
    Membership.objects.create(
        user=tenant_a.admin, company=tenant_b.company, role=Role.CUSTOMER
    )

    response = api.as_user(tenant_a.admin).post(
        members_url(tenant_a.company),
        {"user": tenant_b.other_customer.id, "role": "customer"},
        **EN,
    )

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}
    assert not Membership.objects.filter(
        user=tenant_b.other_customer, company=tenant_a.company
    ).exists()


def test_members_create_by_id_of_a_visible_but_inactive_user(api, tenant_a):
    tenant_a.other_customer.is_active = False
    tenant_a.other_customer.save(update_fields=["is_active"])
    other_company = CompanyFactory(name="Gamma Co", slug="gamma-co")
    MembershipFactory(user=tenant_a.admin, company=other_company, role=Role.ADMIN)

    response = api.as_user(tenant_a.admin).post(
        members_url(other_company),
        {"user": tenant_a.other_customer.id, "role": "customer"},
        **EN,
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"user": ["No active user matches."]}


def test_members_create_twice_is_refused(api, tenant_a):
    response = api.as_user(tenant_a.admin).post(
        members_url(tenant_a.company),
        {"user": tenant_a.customer.id, "role": "actor"},
        **EN,
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "user": ["This user is already a member of the company."]
    }
    assert membership_of(tenant_a.customer, tenant_a.company).role == "customer"


def test_members_create_refuses_an_unknown_role(api, tenant_a):
    response = api.as_user(tenant_a.admin).post(
        members_url(tenant_a.company),
        {"user": tenant_a.customer.id, "role": "owner"},
        **EN,
    )

    assert response.json()["fields"] == {"role": ['"owner" is not a valid choice.']}


def test_members_update_role_away_from_actor_unbooks_the_profile(api, tenant_a):
    membership = membership_of(tenant_a.actor_user, tenant_a.company)

    response = api.as_user(tenant_a.manager).patch(
        member_url(tenant_a.company, membership), {"role": "customer"}
    )

    assert response.status_code == 200
    assert response.json()["role"] == "customer"
    tenant_a.actor.refresh_from_db()
    assert tenant_a.actor.is_bookable is False


def test_members_update_manager_may_not_promote(api, tenant_a):
    membership = membership_of(tenant_a.customer, tenant_a.company)

    response = api.as_user(tenant_a.manager).patch(
        member_url(tenant_a.company, membership), {"role": "manager"}, **EN
    )

    assert response.status_code == 403
    assert membership_of(tenant_a.customer, tenant_a.company).role == "customer"


def test_members_update_deactivates(api, tenant_a):
    membership = membership_of(tenant_a.customer, tenant_a.company)

    response = api.as_user(tenant_a.admin).patch(
        member_url(tenant_a.company, membership), {"is_active": False}
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    me = api.as_user(tenant_a.customer).get("/api/companies/")
    assert me.json()["results"] == []


def test_members_delete_removes_the_membership(api, tenant_a):
    membership = membership_of(tenant_a.other_customer, tenant_a.company)

    response = api.as_user(tenant_a.manager).delete(
        member_url(tenant_a.company, membership)
    )

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_members_delete_of_own_membership_is_refused(api, tenant_a):
    membership = membership_of(tenant_a.admin, tenant_a.company)

    response = api.as_user(tenant_a.admin).delete(
        member_url(tenant_a.company, membership), **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "You cannot remove your own membership.",
    }


def test_members_delete_keeps_an_actor_with_appointments(api, tenant_a):
    service = ServiceFactory(company=tenant_a.company)
    start = timezone.now() + timedelta(days=1)
    Appointment.objects.create(
        company=tenant_a.company,
        actor=tenant_a.actor,
        service=service,
        customer=tenant_a.customer,
        start=start,
        end=start + timedelta(minutes=30),
        occupied_start=start,
        occupied_end=start + timedelta(minutes=30),
        price_base=Decimal("50.00"),
        price_final=Decimal("50.00"),
    )
    membership = membership_of(tenant_a.actor_user, tenant_a.company)

    response = api.as_user(tenant_a.admin).delete(
        member_url(tenant_a.company, membership)
    )

    assert response.status_code == 204
    membership.refresh_from_db()
    tenant_a.actor.refresh_from_db()
    assert (membership.is_active, tenant_a.actor.is_bookable) == (False, False)
    assert Appointment.objects.filter(actor=tenant_a.actor).count() == 1


def test_members_create_reactivates_a_removed_member(api, tenant_a):
    membership = membership_of(tenant_a.actor_user, tenant_a.company)
    membership.is_active = False
    membership.save(update_fields=["is_active"])

    response = api.as_user(tenant_a.admin).post(
        members_url(tenant_a.company),
        {"user": tenant_a.actor_user.id, "role": "actor"},
    )

    assert response.status_code == 201
    membership.refresh_from_db()
    tenant_a.actor.refresh_from_db()
    assert response.json()["id"] == membership.id
    assert (membership.is_active, membership.role, tenant_a.actor.is_bookable) == (
        True,
        Role.ACTOR,
        True,
    )


LAST_ADMIN = {
    "code": "last_admin",
    "detail": (
        "The company must keep at least one admin; make someone else admin first."
    ),
}


@pytest.mark.parametrize("change", [{"role": "customer"}, {"is_active": False}])
def test_members_update_last_admin_may_not_step_down(api, tenant_a, change):
    membership = membership_of(tenant_a.admin, tenant_a.company)

    response = api.as_user(tenant_a.admin).patch(
        member_url(tenant_a.company, membership), change, **EN
    )

    assert response.status_code == 409
    assert response.json() == LAST_ADMIN
    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == ("admin", True)


def test_members_update_last_admin_detail_is_translated(api, tenant_a):
    membership = membership_of(tenant_a.admin, tenant_a.company)

    response = api.as_user(tenant_a.admin).patch(
        member_url(tenant_a.company, membership),
        {"role": "manager"},
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )

    assert response.json() == {
        "code": "last_admin",
        "detail": (
            "A empresa precisa manter ao menos um administrador; torne outra "
            "pessoa administradora primeiro."
        ),
    }


def test_members_update_admin_may_step_down_when_another_admin_remains(api, tenant_a):
    MembershipFactory(company=tenant_a.company, role=Role.ADMIN)
    membership = membership_of(tenant_a.admin, tenant_a.company)

    response = api.as_user(tenant_a.admin).patch(
        member_url(tenant_a.company, membership), {"role": "manager"}
    )

    assert response.status_code == 200
    assert membership_of(tenant_a.admin, tenant_a.company).role == "manager"


@pytest.mark.parametrize(
    ("membership_active", "user_active"), [(False, True), (True, False)]
)
def test_members_update_an_inactive_admin_does_not_count(
    api, tenant_a, membership_active, user_active
):
    other = MembershipFactory(
        company=tenant_a.company, role=Role.ADMIN, is_active=membership_active
    )
    other.user.is_active = user_active
    other.user.save(update_fields=["is_active"])
    membership = membership_of(tenant_a.admin, tenant_a.company)

    response = api.as_user(tenant_a.admin).patch(
        member_url(tenant_a.company, membership), {"role": "customer"}, **EN
    )

    assert response.status_code == 409
    assert response.json() == LAST_ADMIN


def test_members_super_admin_may_not_remove_the_last_admin(api, super_admin, tenant_a):
    membership = membership_of(tenant_a.admin, tenant_a.company)
    client = api.as_user(super_admin)

    demoted = client.patch(
        member_url(tenant_a.company, membership), {"role": "actor"}, **EN
    )
    removed = client.delete(member_url(tenant_a.company, membership), **EN)

    assert (demoted.status_code, removed.status_code) == (409, 409)
    assert demoted.json() == removed.json() == LAST_ADMIN
    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == ("admin", True)
    assert not Actor.objects.filter(membership=membership).exists()


def test_members_super_admin_removes_an_admin_when_another_remains(
    api, super_admin, tenant_a
):
    MembershipFactory(company=tenant_a.company, role=Role.ADMIN)
    membership = membership_of(tenant_a.admin, tenant_a.company)

    response = api.as_user(super_admin).delete(member_url(tenant_a.company, membership))

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_members_demoting_another_role_ignores_the_admin_count(api, tenant_a):
    membership_of(tenant_a.admin, tenant_a.company).delete()
    membership = membership_of(tenant_a.customer, tenant_a.company)

    response = api.as_user(tenant_a.manager).patch(
        member_url(tenant_a.company, membership), {"role": "actor"}
    )

    assert response.status_code == 200
