"""Staff managing the people of their company through /api/auth/users/."""

import pytest
from rest_framework.authtoken.models import Token

from apps.accounts.models import User
from apps.appointments.models import Actor
from apps.companies.models import Membership, Role
from apps.core.tests.factories import member

USERS = "/api/auth/users/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
FORBIDDEN = {
    "code": "permission_denied",
    "detail": "You do not have permission to perform this action.",
}


def detail(user) -> str:
    return f"{USERS}{user.id}/"


def emails(response) -> list[str]:
    return [row["email"] for row in response.json()["results"]]


def test_users_list_shows_the_managed_company_only(api, tenant_a, tenant_b):
    response = api.as_user(tenant_a.manager).get(USERS)

    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert emails(response) == [
        "actor@alpha.example.com",
        "admin@alpha.example.com",
        "customer2@alpha.example.com",
        "customer@alpha.example.com",
        "manager@alpha.example.com",
    ]


def test_users_list_filters_by_company_for_multi_company_staff(api, tenant_a, tenant_b):
    Membership.objects.create(
        user=tenant_a.admin, company=tenant_b.company, role=Role.MANAGER
    )

    both = api.as_user(tenant_a.admin).get(USERS)
    only_b = api.as_user(tenant_a.admin).get(USERS, {"company": tenant_b.company.id})

    assert both.json()["count"] == 10
    assert emails(only_b) == [
        "actor@beta.example.com",
        "admin@alpha.example.com",
        "admin@beta.example.com",
        "customer2@beta.example.com",
        "customer@beta.example.com",
        "manager@beta.example.com",
    ]


def test_users_list_super_admin_sees_everyone(api, tenant_a, tenant_b, super_admin):
    response = api.as_user(super_admin).get(USERS)

    assert response.json()["count"] == 11


@pytest.mark.parametrize("role", ["actor_user", "customer"])
def test_users_list_refuses_actors_and_customers(api, tenant_a, role):
    response = api.as_user(getattr(tenant_a, role)).get(USERS, **EN)

    assert response.status_code == 403
    assert response.json() == FORBIDDEN


def test_users_create_with_membership_makes_the_actor_profile(api, tenant_a):
    body = {
        "email": "New.Barber@Alpha.example.com",
        "name": "New Barber",
        "phone": "+5511912345678",
        "company": tenant_a.company.id,
        "role": "actor",
    }

    response = api.as_user(tenant_a.manager).post(USERS, body)

    assert response.status_code == 201
    user = User.objects.get(email="new.barber@alpha.example.com")
    assert response.json() == {
        "id": user.id,
        "email": "new.barber@alpha.example.com",
        "name": "New Barber",
        "phone": "+5511912345678",
        "language": "",
        "is_super_admin": False,
    }
    actor = Actor.objects.get(user=user)
    assert (actor.company_id, actor.display_name, actor.is_bookable) == (
        tenant_a.company.id,
        "New Barber",
        True,
    )
    assert not user.has_usable_password()


def test_users_create_manager_may_not_make_a_manager(api, tenant_a):
    body = {
        "email": "boss@alpha.example.com",
        "name": "Boss",
        "company": tenant_a.company.id,
        "role": "manager",
    }

    response = api.as_user(tenant_a.manager).post(USERS, body, **EN)

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert not User.objects.filter(email="boss@alpha.example.com").exists()


def test_users_create_admin_may_make_a_manager(api, tenant_a):
    body = {
        "email": "boss@alpha.example.com",
        "name": "Boss",
        "password": "Quiet-Harbour-Lights-7",
        "company": tenant_a.company.id,
        "role": "manager",
    }

    response = api.as_user(tenant_a.admin).post(USERS, body)

    assert response.status_code == 201
    user = User.objects.get(email="boss@alpha.example.com")
    assert user.check_password("Quiet-Harbour-Lights-7")
    assert list(user.memberships.values_list("role", flat=True)) == ["manager"]


def test_users_create_needs_company_and_role_together(api, tenant_a):
    body = {"email": "x@alpha.example.com", "name": "X", "company": tenant_a.company.id}

    response = api.as_user(tenant_a.admin).post(USERS, body, **EN)

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "role": ["Give both company and role, or neither."]
    }


def test_users_create_refuses_weak_password_and_bad_phone(api, tenant_a):
    body = {
        "email": "x@alpha.example.com",
        "name": "X",
        "phone": "999",
        "password": "short",
    }

    bad_phone = api.as_user(tenant_a.admin).post(USERS, body, **EN)
    weak = api.as_user(tenant_a.admin).post(USERS, {**body, "phone": ""}, **EN)

    assert bad_phone.json()["fields"] == {"phone": ["Enter a valid phone number."]}
    assert weak.status_code == 400
    assert weak.json()["fields"] == {
        "password": [
            "This password is too short. It must contain at least 8 characters."
        ]
    }
    assert not User.objects.filter(email="x@alpha.example.com").exists()


def test_users_create_without_company_is_for_managers(api, tenant_a):
    body = {"email": "loose@example.com", "name": "Loose"}

    by_customer = api.as_user(tenant_a.customer).post(USERS, body, **EN)
    by_admin = api.as_user(tenant_a.admin).post(USERS, body, **EN)

    assert by_customer.status_code == 403
    assert by_admin.status_code == 201


def test_users_retrieve_by_the_admin(api, tenant_a):
    response = api.as_user(tenant_a.admin).get(detail(tenant_a.customer))

    assert response.status_code == 200
    assert response.json() == {
        "id": tenant_a.customer.id,
        "email": "customer@alpha.example.com",
        "name": tenant_a.customer.name,
        "phone": "",
        "language": "",
        "is_super_admin": False,
    }


def test_users_update_profile(api, tenant_a):
    body = {"name": "Renamed", "phone": "+5521998887766", "language": "en"}

    response = api.as_user(tenant_a.manager).patch(detail(tenant_a.customer), body)

    assert response.status_code == 200
    tenant_a.customer.refresh_from_db()
    assert (
        tenant_a.customer.name,
        str(tenant_a.customer.phone),
        tenant_a.customer.language,
    ) == ("Renamed", "+5521998887766", "en")


def test_users_update_email_is_unique_regardless_of_case(api, tenant_a):
    body = {"email": "ADMIN@alpha.example.com"}

    response = api.as_user(tenant_a.admin).patch(detail(tenant_a.customer), body, **EN)

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "email": ["A user with this email already exists."]
    }


def test_users_update_password_is_validated(api, tenant_a):
    response = api.as_user(tenant_a.admin).patch(
        detail(tenant_a.customer), {"password": "12345678"}, **EN
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "password": [
            "This password is too common.",
            "This password is entirely numeric.",
        ]
    }


def test_users_update_manager_may_not_touch_the_admin(api, tenant_a):
    response = api.as_user(tenant_a.manager).patch(
        detail(tenant_a.admin), {"name": "Taken over"}, **EN
    )

    assert response.status_code == 403
    tenant_a.admin.refresh_from_db()
    assert tenant_a.admin.name != "Taken over"


def test_users_update_refuses_a_person_who_also_belongs_elsewhere(
    api, tenant_a, tenant_b
):
    # Beta's admin registered as Alpha's customer: Alpha's admin must not be
    # able to reset the password of an account Beta relies on.
    Membership.objects.create(
        user=tenant_b.admin, company=tenant_a.company, role=Role.CUSTOMER
    )

    response = api.as_user(tenant_a.admin).patch(
        detail(tenant_b.admin), {"password": "Fresh-Owner-Keys-99"}, **EN
    )

    assert response.status_code == 403
    tenant_b.admin.refresh_from_db()
    assert not tenant_b.admin.check_password("Fresh-Owner-Keys-99")


def test_users_update_own_profile_as_manager(api, tenant_a):
    response = api.as_user(tenant_a.manager).patch(
        detail(tenant_a.manager), {"name": "Me Myself"}
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Me Myself"


def test_users_destroy_removes_membership_and_deactivates(api, tenant_a):
    token = Token.objects.create(user=tenant_a.customer)

    response = api.as_user(tenant_a.manager).delete(detail(tenant_a.customer))

    assert response.status_code == 204
    tenant_a.customer.refresh_from_db()
    assert tenant_a.customer.is_active is False
    assert tenant_a.customer.memberships.count() == 0
    assert not Token.objects.filter(pk=token.pk).exists()


def test_users_destroy_keeps_a_person_with_other_companies(api, tenant_a, tenant_b):
    Membership.objects.create(
        user=tenant_a.customer, company=tenant_b.company, role=Role.CUSTOMER
    )

    response = api.as_user(tenant_a.admin).delete(detail(tenant_a.customer))

    assert response.status_code == 204
    tenant_a.customer.refresh_from_db()
    assert tenant_a.customer.is_active is True
    assert list(tenant_a.customer.memberships.values_list("company_id", flat=True)) == [
        tenant_b.company.id
    ]


def test_users_destroy_manager_may_not_remove_the_admin(api, tenant_a):
    response = api.as_user(tenant_a.manager).delete(detail(tenant_a.admin), **EN)

    assert response.status_code == 403
    assert tenant_a.admin.memberships.count() == 1


def test_users_destroy_refuses_oneself(api, tenant_a):
    response = api.as_user(tenant_a.admin).delete(detail(tenant_a.admin), **EN)

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "You cannot remove yourself.",
    }


def test_users_destroy_by_super_admin_deactivates(api, tenant_a, super_admin):
    response = api.as_user(super_admin).delete(detail(tenant_a.actor_user))

    assert response.status_code == 204
    tenant_a.actor_user.refresh_from_db()
    assert tenant_a.actor_user.is_active is False
    assert not Actor.objects.filter(user=tenant_a.actor_user).exists()


def test_users_removed_person_can_no_longer_act(api, tenant_a):
    extra = member(tenant_a.company, Role.MANAGER, email="temp@alpha.example.com")
    api.as_user(tenant_a.admin).delete(detail(extra))

    response = api.as_user(extra).get(USERS, **EN)

    assert response.status_code == 403


def test_users_create_for_an_unknown_company_is_404(api, super_admin):
    body = {"email": "x@example.com", "name": "X", "company": 999999, "role": "actor"}

    response = api.as_user(super_admin).post(USERS, body, **EN)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}
    assert not User.objects.filter(email="x@example.com").exists()


def test_users_destroy_by_super_admin_keeps_the_last_admin(api, tenant_a, super_admin):
    token = Token.objects.create(user=tenant_a.admin)

    response = api.as_user(super_admin).delete(detail(tenant_a.admin), **EN)

    assert response.status_code == 409
    assert response.json() == {
        "code": "last_admin",
        "detail": (
            "The company must keep at least one admin; make someone else admin first."
        ),
    }
    tenant_a.admin.refresh_from_db()
    assert tenant_a.admin.is_active is True
    assert list(tenant_a.admin.memberships.values_list("role", "is_active")) == [
        ("admin", True)
    ]
    assert Token.objects.filter(pk=token.pk).exists()
