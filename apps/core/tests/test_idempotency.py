"""`Idempotency-Key` on creating POSTs."""

import time_machine

from apps.accounts.models import User
from apps.companies.models import Company, Membership
from apps.core.models import IdempotencyRecord
from apps.core.tests.factories import UserFactory

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
COMPANY_BODY = {"name": "Studio Once", "slug": "studio-once"}


def post_company(api, user, body, key="key-1"):
    return api.as_user(user).post(
        "/api/companies/", body, HTTP_IDEMPOTENCY_KEY=key, **EN
    )


def test_idempotency_same_key_and_body_replays_the_first_answer(api, super_admin):
    first = post_company(api, super_admin, COMPANY_BODY)

    second = post_company(api, super_admin, COMPANY_BODY)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Company.objects.filter(slug="studio-once").count() == 1


def test_idempotency_same_key_other_body_is_409(api, super_admin):
    post_company(api, super_admin, COMPANY_BODY)

    response = post_company(api, super_admin, {**COMPANY_BODY, "name": "Other"})

    assert response.status_code == 409
    assert response.json() == {
        "code": "idempotency_key_reused",
        "detail": "This Idempotency-Key was already used with a different request.",
    }
    assert list(Company.objects.values_list("name", flat=True)) == ["Studio Once"]


def test_idempotency_keys_are_scoped_to_the_requester(api, super_admin):
    other_root = UserFactory(email="root2@example.com", is_superuser=True)
    post_company(api, super_admin, COMPANY_BODY)

    response = post_company(
        api, other_root, {"name": "Studio Twice", "slug": "studio-twice"}
    )

    assert response.status_code == 201
    assert Company.objects.count() == 2


def test_idempotency_without_a_key_creates_each_time(api, super_admin):
    client = api.as_user(super_admin)

    client.post("/api/companies/", {"name": "A", "slug": "a"})
    client.post("/api/companies/", {"name": "B", "slug": "b"})

    assert Company.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 0


def test_idempotency_key_expires_after_24_hours(api, super_admin):
    with time_machine.travel("2030-03-01 10:00:00+00:00", tick=False) as clock:
        post_company(api, super_admin, COMPANY_BODY)
        clock.shift(24 * 3600 + 1)

        response = post_company(
            api, super_admin, {"name": "Studio Later", "slug": "studio-later"}
        )

    assert response.status_code == 201
    assert Company.objects.count() == 2


def test_idempotency_refused_answer_is_replayed_and_creates_nothing(api, tenant_a):
    body = {"email": "dup@alpha.example.com", "name": "Dup", "password": "123"}

    first = api.as_user(tenant_a.admin).post(
        "/api/auth/users/", body, HTTP_IDEMPOTENCY_KEY="users-1", **EN
    )
    second = api.as_user(tenant_a.admin).post(
        "/api/auth/users/", body, HTTP_IDEMPOTENCY_KEY="users-1", **EN
    )

    assert first.status_code == 400
    assert second.json() == first.json()
    assert not User.objects.filter(email="dup@alpha.example.com").exists()


def test_idempotency_on_members_create(api, tenant_a, tenant_b):
    url = f"/api/companies/{tenant_a.company.id}/members/"
    body = {"email": tenant_b.customer.email, "role": "customer"}

    first = api.as_user(tenant_a.admin).post(url, body, HTTP_IDEMPOTENCY_KEY="m-1")
    second = api.as_user(tenant_a.admin).post(url, body, HTTP_IDEMPOTENCY_KEY="m-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert (
        Membership.objects.filter(
            user=tenant_b.customer, company=tenant_a.company
        ).count()
        == 1
    )


def test_idempotency_key_too_long_is_refused(api, super_admin):
    response = post_company(api, super_admin, COMPANY_BODY, key="k" * 256)

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_idempotency_key",
        "detail": "The Idempotency-Key header must have 1 to 255 characters.",
    }
    assert Company.objects.count() == 0


REGISTER = "/api/auth/users/register/"


def register_body(email="walk.in@example.com"):
    return {
        "company": "alpha-co",
        "email": email,
        "name": "Walk In",
        "password": "Tall-Giraffe-Walks-42",
    }


def register(api, body, key="reg-1", address="203.0.113.7"):
    return api.post(REGISTER, body, HTTP_IDEMPOTENCY_KEY=key, REMOTE_ADDR=address, **EN)


def test_idempotency_on_anonymous_register_replays_the_first_answer(api, tenant_a):
    first = register(api, register_body())

    second = register(api, register_body())

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert User.objects.filter(email="walk.in@example.com").count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.user, record.key, len(record.client)) == (None, "reg-1", 64)
    assert "203.0.113.7" not in record.client


def test_idempotency_on_anonymous_register_other_body_is_409(api, tenant_a):
    register(api, register_body())

    response = register(api, register_body(email="someone.else@example.com"))

    assert response.status_code == 409
    assert response.json() == {
        "code": "idempotency_key_reused",
        "detail": "This Idempotency-Key was already used with a different request.",
    }
    assert not User.objects.filter(email="someone.else@example.com").exists()


def test_idempotency_anonymous_keys_are_scoped_to_the_client_address(api, tenant_a):
    register(api, register_body())

    response = register(
        api, register_body(email="neighbour@example.com"), address="198.51.100.9"
    )

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert IdempotencyRecord.objects.filter(user=None).count() == 2


def test_idempotency_anonymous_and_signed_in_keys_do_not_meet(
    api, tenant_a, super_admin
):
    register(api, register_body())

    response = post_company(api, super_admin, COMPANY_BODY, key="reg-1")

    assert response.status_code == 201
    assert IdempotencyRecord.objects.count() == 2
