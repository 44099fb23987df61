"""Login, logout, me and customer self-registration."""

import pytest
import time_machine
from rest_framework.authtoken.models import Token

from apps.accounts.models import User
from apps.companies.models import Membership, Role
from apps.core.tests.factories import PASSWORD, UserFactory

LOGIN = "/api/auth/users/login/"
LOGOUT = "/api/auth/users/logout/"
ME = "/api/auth/users/me/"
REGISTER = "/api/auth/users/register/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
INVALID_CREDENTIALS = {
    "code": "invalid_credentials",
    "detail": "Email or password is incorrect.",
}


def login(api, email, password=PASSWORD, **extra):
    return api.post(LOGIN, {"email": email, "password": password}, **EN, **extra)


def register_body(**overrides):
    body = {
        "company": "alpha-co",
        "email": "new.customer@example.com",
        "name": "New Customer",
        "phone": "+5511987654321",
        "password": "Tall-Giraffe-Walks-42",
    }
    body.update(overrides)
    return body


def test_login_returns_token_and_user(api, tenant_a):
    response = login(api, "admin@alpha.example.com")

    assert response.status_code == 200
    body = response.json()
    assert body["token"] == Token.objects.get(user=tenant_a.admin).key
    assert body["user"] == {
        "id": tenant_a.admin.id,
        "email": "admin@alpha.example.com",
        "name": tenant_a.admin.name,
        "phone": "",
        "language": "",
        "is_super_admin": False,
        "memberships": [
            {
                "company": {
                    "id": tenant_a.company.id,
                    "name": "Alpha Co",
                    "slug": "alpha-co",
                },
                "role": "admin",
                "actor_id": None,
            }
        ],
    }


def test_login_token_authenticates_requests(api, tenant_a):
    token = login(api, "admin@alpha.example.com").json()["token"]

    response = api.get(ME, HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert response.json()["email"] == "admin@alpha.example.com"


def test_login_email_is_case_insensitive(api, tenant_a):
    response = login(api, "  ADMIN@Alpha.Example.COM ")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == tenant_a.admin.id


def test_login_wrong_password_and_unknown_email_answer_alike(api, tenant_a):
    wrong_password = login(api, "admin@alpha.example.com", "not-the-password")
    unknown_email = login(api, "nobody@alpha.example.com", PASSWORD)

    assert wrong_password.status_code == 400
    assert unknown_email.status_code == 400
    assert wrong_password.json() == INVALID_CREDENTIALS
    assert unknown_email.json() == INVALID_CREDENTIALS


def test_login_inactive_user_gets_the_generic_answer(api, tenant_a):
    tenant_a.customer.is_active = False
    tenant_a.customer.save(update_fields=["is_active"])

    response = login(api, "customer@alpha.example.com")

    assert response.status_code == 400
    assert response.json() == INVALID_CREDENTIALS


def test_login_missing_fields_are_field_errors(api, db):
    response = api.post(LOGIN, {}, **EN)

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {
            "email": ["This field is required."],
            "password": ["This field is required."],
        },
    }


def test_login_throttles_an_email_after_five_failures(api, tenant_a):
    with time_machine.travel("2030-01-07 12:00:00+00:00", tick=False):
        statuses = [
            login(
                api,
                "admin@alpha.example.com",
                "wrong",
                REMOTE_ADDR=f"10.0.0.{attempt + 1}",
            ).status_code
            for attempt in range(5)
        ]
        # The right password from a fresh address is refused too: the count
        # is kept per email, whatever the address.
        sixth = login(api, "Admin@Alpha.example.com", REMOTE_ADDR="10.0.0.99")

    assert statuses == [400] * 5
    assert sixth.status_code == 429
    assert sixth.json() == {
        "code": "throttled",
        "detail": "Too many requests. Try again in 60 seconds.",
    }
    assert sixth["Retry-After"] == "60"


def test_login_throttles_an_address_after_twenty_failures(api, tenant_a):
    statuses = [
        login(api, f"nobody{attempt}@example.com", "wrong").status_code
        for attempt in range(20)
    ]

    twenty_first = login(api, "admin@alpha.example.com")
    other_address = login(api, "admin@alpha.example.com", REMOTE_ADDR="10.9.9.9")

    assert statuses == [400] * 20
    assert twenty_first.status_code == 429
    assert twenty_first.json()["code"] == "throttled"
    assert other_address.status_code == 200


def test_login_throttle_lifts_after_the_window(api, tenant_a):
    with time_machine.travel("2030-01-07 12:00:00+00:00", tick=False) as clock:
        for _attempt in range(5):
            login(api, "admin@alpha.example.com", "wrong")
        assert login(api, "admin@alpha.example.com").status_code == 429

        clock.shift(61)
        response = login(api, "admin@alpha.example.com")

    assert response.status_code == 200


def test_login_successes_do_not_count_towards_the_throttle(api, tenant_a):
    statuses = [login(api, "admin@alpha.example.com").status_code for _ in range(8)]

    assert statuses == [200] * 8


def test_logout_kills_the_token(api, tenant_a):
    token = login(api, "actor@alpha.example.com").json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}

    logout = api.post(LOGOUT, **auth, **EN)
    after = api.get(ME, **auth, **EN)

    assert logout.status_code == 204
    assert Token.objects.filter(user=tenant_a.actor_user).count() == 0
    assert after.status_code == 401
    assert after.json() == {
        "code": "authentication_failed",
        "detail": "The credentials are not valid.",
    }


def test_logout_needs_authentication(api, db):
    response = api.post(LOGOUT, **EN)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_login_after_logout_issues_a_new_token(api, tenant_a):
    first = login(api, "actor@alpha.example.com").json()["token"]
    api.post(LOGOUT, HTTP_AUTHORIZATION=f"Token {first}")

    second = login(api, "actor@alpha.example.com").json()["token"]

    assert second != first
    assert api.get(ME, HTTP_AUTHORIZATION=f"Token {second}").status_code == 200


def test_me_lists_memberships_with_the_actor_profile(api, tenant_a, tenant_b):
    user = tenant_a.actor_user
    Membership.objects.create(user=user, company=tenant_b.company, role=Role.CUSTOMER)

    response = api.as_user(user).get(ME)

    assert response.status_code == 200
    memberships = sorted(response.json()["memberships"], key=lambda m: m["role"])
    assert memberships == [
        {
            "company": {
                "id": tenant_a.company.id,
                "name": "Alpha Co",
                "slug": "alpha-co",
            },
            "role": "actor",
            "actor_id": tenant_a.actor.id,
        },
        {
            "company": {
                "id": tenant_b.company.id,
                "name": "Beta Co",
                "slug": "beta-co",
            },
            "role": "customer",
            "actor_id": None,
        },
    ]


def test_me_marks_the_super_admin(api, super_admin):
    response = api.as_user(super_admin).get(ME)

    assert response.json()["is_super_admin"] is True
    assert response.json()["memberships"] == []


def test_me_needs_authentication(api, db):
    response = api.get(ME, **EN)

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }


def test_register_creates_a_customer_of_the_company(api, tenant_a):
    response = api.post(REGISTER, register_body(language="en"), **EN)

    assert response.status_code == 201
    user = User.objects.get(email="new.customer@example.com")
    assert response.json() == {
        "id": user.id,
        "email": "new.customer@example.com",
        "name": "New Customer",
        "phone": "+5511987654321",
        "language": "en",
        "is_super_admin": False,
    }
    assert list(user.memberships.values_list("company__slug", "role")) == [
        ("alpha-co", "customer")
    ]
    assert user.check_password("Tall-Giraffe-Walks-42")


def test_register_then_login(api, tenant_a):
    api.post(REGISTER, register_body(), **EN)

    response = login(api, "new.customer@example.com", "Tall-Giraffe-Walks-42")

    assert response.status_code == 200
    assert response.json()["user"]["memberships"][0]["role"] == "customer"


def test_register_stores_the_email_lower_cased(api, tenant_a):
    response = api.post(REGISTER, register_body(email="New.Customer@Example.COM"))

    assert response.status_code == 201
    assert response.json()["email"] == "new.customer@example.com"


def test_register_refuses_an_email_taken_in_another_case(api, tenant_a):
    response = api.post(
        REGISTER, register_body(email="Customer@ALPHA.example.com"), **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {"email": ["A user with this email already exists."]},
    }
    assert User.objects.filter(email__iexact="customer@alpha.example.com").count() == 1


def test_register_unknown_company_is_404(api, db):
    response = api.post(REGISTER, register_body(company="no-such-co"), **EN)

    assert response.status_code == 404
    assert response.json() == {
        "code": "company_not_found",
        "detail": "No company with this slug.",
    }
    assert User.objects.count() == 0


def test_register_inactive_company_is_404(api, tenant_a):
    tenant_a.company.is_active = False
    tenant_a.company.save(update_fields=["is_active"])

    response = api.post(REGISTER, register_body(), **EN)

    assert response.status_code == 404
    assert response.json()["code"] == "company_not_found"


@pytest.mark.parametrize(
    "phone",
    ["12345", "11987654321", "+55 11 1234", "not a phone", "+999123456789"],
)
def test_register_refuses_bad_phone_numbers(api, tenant_a, phone):
    response = api.post(REGISTER, register_body(phone=phone), **EN)

    assert response.status_code == 400
    assert response.json()["fields"] == {"phone": ["Enter a valid phone number."]}
    assert not User.objects.filter(email="new.customer@example.com").exists()


def test_register_stores_a_phone_in_e164(api, tenant_a):
    response = api.post(REGISTER, register_body(phone="+55 (11) 98765-4321"))

    assert response.status_code == 201
    assert response.json()["phone"] == "+5511987654321"
    assert str(User.objects.get(email="new.customer@example.com").phone) == (
        "+5511987654321"
    )


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        (
            "abc12",
            ["This password is too short. It must contain at least 8 characters."],
        ),
        (
            "12345678",
            ["This password is too common.", "This password is entirely numeric."],
        ),
        ("password", ["This password is too common."]),
        ("new.customer", ["The password is too similar to the email."]),
    ],
)
def test_register_refuses_weak_passwords(api, tenant_a, password, messages):
    response = api.post(REGISTER, register_body(password=password), **EN)

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {"password": messages},
    }
    assert not User.objects.filter(email="new.customer@example.com").exists()


def test_register_missing_fields_are_field_errors(api, tenant_a):
    response = api.post(REGISTER, {"company": "alpha-co"}, **EN)

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "email": ["This field is required."],
        "name": ["This field is required."],
        "password": ["This field is required."],
    }


def test_register_refuses_an_unknown_language(api, tenant_a):
    response = api.post(REGISTER, register_body(language="fr"), **EN)

    assert response.status_code == 400
    assert response.json()["fields"] == {"language": ['"fr" is not a valid choice.']}


def test_user_manager_stores_emails_lower_cased(db):
    user = User.objects.create_user(email="Mixed.Case@Example.COM", password="x")

    assert user.email == "mixed.case@example.com"
    assert User.objects.get_by_natural_key("MIXED.case@example.com") == user


def test_user_email_is_unique_regardless_of_case(db):
    UserFactory(email="one@example.com")

    with pytest.raises(Exception) as raised:
        UserFactory(email="ONE@example.com")

    assert type(raised.value).__name__ == "IntegrityError"


EMAIL_TAKEN = {
    "code": "validation_error",
    "detail": "Some fields are not valid.",
    "fields": {"email": ["A user with this email already exists."]},
}


def companies_of(user) -> list[tuple[str, str, bool]]:
    return sorted(user.memberships.values_list("company__slug", "role", "is_active"))


def test_register_existing_account_with_its_password_joins_the_company(
    api, tenant_a, tenant_b
):
    person = tenant_b.customer
    body = register_body(
        email="Customer@Beta.example.com", password=PASSWORD, name="Other Name"
    )

    response = api.post(REGISTER, body, **EN)

    assert response.status_code == 201
    assert response.json() == {
        "id": person.id,
        "email": "customer@beta.example.com",
        "name": person.name,
        "phone": "",
        "language": "",
        "is_super_admin": False,
    }
    assert companies_of(person) == [
        ("alpha-co", "customer", True),
        ("beta-co", "customer", True),
    ]
    person.refresh_from_db()
    assert (person.name, str(person.phone)) == (tenant_b.customer.name, "")


def test_register_existing_account_with_a_wrong_password_is_a_taken_email(
    api, tenant_a, tenant_b
):
    response = api.post(
        REGISTER, register_body(email="customer@beta.example.com"), **EN
    )

    assert response.status_code == 400
    assert response.json() == EMAIL_TAKEN
    assert companies_of(tenant_b.customer) == [("beta-co", "customer", True)]


def test_register_inactive_account_with_its_password_is_a_taken_email(
    api, tenant_a, tenant_b
):
    tenant_b.customer.is_active = False
    tenant_b.customer.save(update_fields=["is_active"])

    response = api.post(
        REGISTER,
        register_body(email="customer@beta.example.com", password=PASSWORD),
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == EMAIL_TAKEN
    assert companies_of(tenant_b.customer) == [("beta-co", "customer", True)]


@pytest.mark.parametrize(
    ("persona", "role"),
    [("customer", "customer"), ("admin", "admin"), ("actor_user", "actor")],
)
def test_register_existing_member_of_the_company_is_refused(
    api, tenant_a, persona, role
):
    person = getattr(tenant_a, persona)

    response = api.post(
        REGISTER, register_body(email=person.email, password=PASSWORD), **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {"email": ["You are already a member of this company."]},
    }
    assert companies_of(person) == [("alpha-co", role, True)]


def test_register_already_a_member_is_translated(api, tenant_a):
    response = api.post(
        REGISTER,
        register_body(email=tenant_a.customer.email, password=PASSWORD),
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )

    assert response.json()["fields"] == {
        "email": ["Você já é cliente ou membro desta empresa."]
    }


@pytest.mark.parametrize("persona", ["customer", "actor_user"])
def test_register_cannot_undo_a_companys_removal(api, tenant_a, persona):
    person = getattr(tenant_a, persona)
    membership = Membership.objects.get(user=person, company=tenant_a.company)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    before = companies_of(person)

    response = api.post(
        REGISTER, register_body(email=person.email, password=PASSWORD), **EN
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "email": [
            "This company has closed your account with it; please contact the company."
        ]
    }
    assert companies_of(person) == before


def test_register_wrong_passwords_count_with_failed_logins(api, tenant_a, tenant_b):
    email = "customer@beta.example.com"
    with time_machine.travel("2030-01-07 12:00:00+00:00", tick=False):
        statuses = [
            api.post(
                REGISTER,
                register_body(email=email, password=f"wrong-{attempt}"),
                REMOTE_ADDR=f"10.0.0.{attempt + 1}",
                **EN,
            ).status_code
            for attempt in range(5)
        ]
        joining = api.post(
            REGISTER,
            register_body(email=email, password=PASSWORD),
            REMOTE_ADDR="10.0.0.99",
            **EN,
        )
        signing_in = login(api, email, REMOTE_ADDR="10.0.0.98")

    assert statuses == [400] * 5
    assert (joining.status_code, signing_in.status_code) == (429, 429)
    assert joining.json()["code"] == "throttled"
    assert companies_of(tenant_b.customer) == [("beta-co", "customer", True)]


def test_register_throttled_answer_is_not_kept_for_the_idempotency_key(
    api, tenant_a, tenant_b
):
    email = "customer@beta.example.com"
    with time_machine.travel("2030-01-07 12:00:00+00:00", tick=False) as clock:
        for attempt in range(5):
            login(api, email, "wrong", REMOTE_ADDR=f"10.0.0.{attempt + 1}")
        body = register_body(email=email, password=PASSWORD)
        throttled = api.post(REGISTER, body, HTTP_IDEMPOTENCY_KEY="join-1", **EN)
        clock.shift(61)

        later = api.post(REGISTER, body, HTTP_IDEMPOTENCY_KEY="join-1", **EN)

    assert (throttled.status_code, later.status_code) == (429, 201)
    assert companies_of(tenant_b.customer) == [
        ("alpha-co", "customer", True),
        ("beta-co", "customer", True),
    ]
