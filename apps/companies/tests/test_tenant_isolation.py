"""The tenant-isolation matrix of the foundation's endpoints.

Every role of company A acting on company B's objects gets 404 and changes
nothing; a role acting on its own company's objects where it may not gets
403; the super admin reaches both companies.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from apps.accounts.models import User
from apps.companies.models import Company, Membership

ROLES = ["admin", "manager", "actor_user", "customer"]
MANAGING = ["admin", "manager"]
NOT_MANAGING = ["actor_user", "customer"]
NOT_ADMIN = ["manager", "actor_user", "customer"]
NOT_FOUND = {"code": "not_found", "detail": "Not found."}
FORBIDDEN = {
    "code": "permission_denied",
    "detail": "You do not have permission to perform this action.",
}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@dataclass(frozen=True)
class Call:
    """One request, built from the acting tenant `a` and the other tenant `b`."""

    name: str
    method: str
    path: Callable
    body: Callable = lambda a, b: None
    query: Callable = lambda a, b: None


def membership_of(user: User, company: Company) -> Membership:
    return Membership.objects.get(user=user, company=company)


def member_url(company: Company, membership: Membership) -> str:
    return f"/api/companies/{company.id}/members/{membership.id}/"


# Calls that aim at company B's objects.
CALLS_ON_B = [
    Call("company retrieve", "get", lambda a, b: f"/api/companies/{b.company.id}/"),
    Call(
        "company update",
        "patch",
        lambda a, b: f"/api/companies/{b.company.id}/",
        lambda a, b: {"name": "Hijacked"},
    ),
    Call(
        "company statistics",
        "get",
        lambda a, b: f"/api/companies/{b.company.id}/statistics/",
    ),
    Call(
        "members list",
        "get",
        lambda a, b: f"/api/companies/{b.company.id}/members/",
    ),
    Call(
        "members create",
        "post",
        lambda a, b: f"/api/companies/{b.company.id}/members/",
        lambda a, b: {"user": a.other_customer.id, "role": "admin"},
    ),
    Call(
        "member update",
        "patch",
        lambda a, b: member_url(b.company, membership_of(b.customer, b.company)),
        lambda a, b: {"role": "admin"},
    ),
    Call(
        "member delete",
        "delete",
        lambda a, b: member_url(b.company, membership_of(b.customer, b.company)),
    ),
    Call(
        "member of B through A's url, update",
        "patch",
        lambda a, b: member_url(a.company, membership_of(b.customer, b.company)),
        lambda a, b: {"role": "admin"},
    ),
    Call(
        "member of B through A's url, delete",
        "delete",
        lambda a, b: member_url(a.company, membership_of(b.customer, b.company)),
    ),
    Call("user retrieve", "get", lambda a, b: f"/api/auth/users/{b.customer.id}/"),
    Call(
        "user update",
        "patch",
        lambda a, b: f"/api/auth/users/{b.customer.id}/",
        lambda a, b: {"name": "Hijacked", "password": "Stolen-Account-Keys-1"},
    ),
    Call("user delete", "delete", lambda a, b: f"/api/auth/users/{b.customer.id}/"),
    Call(
        "user create in B",
        "post",
        lambda a, b: "/api/auth/users/",
        lambda a, b: {
            "email": "planted@example.com",
            "name": "Planted",
            "company": b.company.id,
            "role": "customer",
        },
    ),
    Call(
        "users list of B",
        "get",
        lambda a, b: "/api/auth/users/",
        query=lambda a, b: {"company": b.company.id},
    ),
]

# Calls on company A's own objects, with the roles that may not make them.
CALLS_ON_OWN = [
    (
        Call(
            "company update",
            "patch",
            lambda a, b: f"/api/companies/{a.company.id}/",
            lambda a, b: {"name": "Renamed"},
        ),
        NOT_ADMIN,
    ),
    (
        Call(
            "company create",
            "post",
            lambda a, b: "/api/companies/",
            lambda a, b: {"name": "Mine", "slug": "mine"},
        ),
        ROLES,
    ),
    (
        Call(
            "company statistics",
            "get",
            lambda a, b: f"/api/companies/{a.company.id}/statistics/",
        ),
        NOT_MANAGING,
    ),
    (
        Call(
            "members list",
            "get",
            lambda a, b: f"/api/companies/{a.company.id}/members/",
        ),
        NOT_MANAGING,
    ),
    (
        Call(
            "members create",
            "post",
            lambda a, b: f"/api/companies/{a.company.id}/members/",
            lambda a, b: {"user": b.customer.id, "role": "customer"},
        ),
        NOT_MANAGING,
    ),
    (
        Call(
            "members create as admin",
            "post",
            lambda a, b: f"/api/companies/{a.company.id}/members/",
            lambda a, b: {"user": b.customer.id, "role": "admin"},
        ),
        NOT_ADMIN,
    ),
    (
        Call(
            "member update",
            "patch",
            lambda a, b: member_url(
                a.company, membership_of(a.other_customer, a.company)
            ),
            lambda a, b: {"role": "actor"},
        ),
        NOT_MANAGING,
    ),
    (
        Call(
            "member update of the admin",
            "patch",
            lambda a, b: member_url(a.company, membership_of(a.admin, a.company)),
            lambda a, b: {"role": "customer"},
        ),
        ["manager"],
    ),
    (
        Call(
            "member delete",
            "delete",
            lambda a, b: member_url(
                a.company, membership_of(a.other_customer, a.company)
            ),
        ),
        NOT_MANAGING,
    ),
    (
        Call(
            "member delete of the admin",
            "delete",
            lambda a, b: member_url(a.company, membership_of(a.admin, a.company)),
        ),
        ["manager"],
    ),
    (Call("users list", "get", lambda a, b: "/api/auth/users/"), NOT_MANAGING),
    (
        Call(
            "users list of A",
            "get",
            lambda a, b: "/api/auth/users/",
            query=lambda a, b: {"company": a.company.id},
        ),
        NOT_MANAGING,
    ),
    (
        Call(
            "user retrieve",
            "get",
            lambda a, b: f"/api/auth/users/{a.other_customer.id}/",
        ),
        NOT_MANAGING,
    ),
    (
        Call(
            "user update",
            "patch",
            lambda a, b: f"/api/auth/users/{a.other_customer.id}/",
            lambda a, b: {"name": "Renamed"},
        ),
        NOT_MANAGING,
    ),
    (
        Call(
            "user update of the admin",
            "patch",
            lambda a, b: f"/api/auth/users/{a.admin.id}/",
            lambda a, b: {"password": "Stolen-Account-Keys-1"},
        ),
        ["manager"],
    ),
    (
        Call(
            "user delete",
            "delete",
            lambda a, b: f"/api/auth/users/{a.other_customer.id}/",
        ),
        NOT_MANAGING,
    ),
    (
        Call(
            "user create in A",
            "post",
            lambda a, b: "/api/auth/users/",
            lambda a, b: {
                "email": "planted@example.com",
                "name": "Planted",
                "company": a.company.id,
                "role": "customer",
            },
        ),
        NOT_MANAGING,
    ),
    (
        Call(
            "user create of a manager in A",
            "post",
            lambda a, b: "/api/auth/users/",
            lambda a, b: {
                "email": "planted@example.com",
                "name": "Planted",
                "company": a.company.id,
                "role": "manager",
            },
        ),
        NOT_ADMIN,
    ),
]

OWN_CASES = [
    pytest.param(call, role, id=f"{call.name}-{role}")
    for call, roles in CALLS_ON_OWN
    for role in roles
]


def state() -> tuple:
    """Everything a refused call must leave as it was."""
    return (
        list(Company.objects.order_by("id").values_list("id", "name", "is_active")),
        list(
            Membership.objects.order_by("id").values_list(
                "id", "user_id", "company_id", "role", "is_active"
            )
        ),
        list(
            User.objects.order_by("id").values_list(
                "id", "email", "name", "password", "is_active"
            )
        ),
    )


def send(api, user, call: Call, a, b):
    client = api.as_user(user)
    path = call.path(a, b)
    if call.method == "get":
        return client.get(path, call.query(a, b), **EN)
    return getattr(client, call.method)(path, call.body(a, b), **EN)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", CALLS_ON_B, ids=lambda call: call.name)
def test_isolation_other_company_objects_answer_404(
    api, tenant_a, tenant_b, role, call
):
    before = state()

    response = send(api, getattr(tenant_a, role), call, tenant_a, tenant_b)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert state() == before


@pytest.mark.parametrize(("call", "role"), OWN_CASES)
def test_isolation_own_company_role_not_allowed_answers_403(
    api, tenant_a, tenant_b, call, role
):
    before = state()

    response = send(api, getattr(tenant_a, role), call, tenant_a, tenant_b)

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_isolation_company_list_shows_own_company_only(api, tenant_a, tenant_b, role):
    response = api.as_user(getattr(tenant_a, role)).get("/api/companies/")

    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["alpha-co"]


@pytest.mark.parametrize("role", ROLES)
def test_isolation_own_company_is_readable_by_every_role(api, tenant_a, tenant_b, role):
    response = api.as_user(getattr(tenant_a, role)).get(
        f"/api/companies/{tenant_a.company.id}/"
    )

    assert response.status_code == 200
    assert response.json()["slug"] == "alpha-co"


@pytest.mark.parametrize("role", MANAGING)
def test_isolation_users_list_never_shows_other_companies(
    api, tenant_a, tenant_b, role
):
    response = api.as_user(getattr(tenant_a, role)).get("/api/auth/users/")

    assert {row["email"].split("@")[1] for row in response.json()["results"]} == {
        "alpha.example.com"
    }


@pytest.mark.parametrize("role", MANAGING)
def test_isolation_members_list_never_shows_other_companies(
    api, tenant_a, tenant_b, role
):
    response = api.as_user(getattr(tenant_a, role)).get(
        f"/api/companies/{tenant_a.company.id}/members/"
    )

    assert response.json()["count"] == 5
    assert {
        row["user"]["email"].split("@")[1] for row in response.json()["results"]
    } == {"alpha.example.com"}


def test_isolation_super_admin_lists_every_company(
    api, tenant_a, tenant_b, super_admin
):
    response = api.as_user(super_admin).get("/api/companies/")

    assert [row["slug"] for row in response.json()["results"]] == [
        "alpha-co",
        "beta-co",
    ]


@pytest.mark.parametrize("tenant", ["tenant_a", "tenant_b"])
def test_isolation_super_admin_reaches_both_companies(
    api, tenant_a, tenant_b, super_admin, tenant
):
    t = {"tenant_a": tenant_a, "tenant_b": tenant_b}[tenant]
    client = api.as_user(super_admin)
    company_url = f"/api/companies/{t.company.id}/"
    membership = membership_of(t.other_customer, t.company)

    responses = {
        "retrieve": client.get(company_url),
        "statistics": client.get(f"{company_url}statistics/"),
        "members": client.get(f"{company_url}members/"),
        "user": client.get(f"/api/auth/users/{t.customer.id}/"),
        "users of company": client.get("/api/auth/users/", {"company": t.company.id}),
        "update": client.patch(company_url, {"phone": "+5511955554444"}),
        "member update": client.patch(
            member_url(t.company, membership), {"role": "actor"}
        ),
        "user update": client.patch(
            f"/api/auth/users/{t.customer.id}/", {"name": "Edited"}
        ),
    }

    assert {name: r.status_code for name, r in responses.items()} == {
        name: 200 for name in responses
    }
    assert responses["members"].json()["count"] == 5
    assert responses["users of company"].json()["count"] == 5
    assert responses["update"].json()["phone"] == "+5511955554444"
    assert responses["member update"].json()["actor_id"] is not None
