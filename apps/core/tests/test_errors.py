"""Every API error in the `{"code", "detail", "fields"}` format."""

from apps.companies.models import Company

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_errors_malformed_json_is_400(api, tenant_a):
    response = api.as_user(tenant_a.admin).generic(
        "PATCH",
        f"/api/companies/{tenant_a.company.id}/",
        '{"name": "Unclosed',
        content_type="application/json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_request",
        "detail": "The request body is not valid JSON.",
    }
    tenant_a.company.refresh_from_db()
    assert tenant_a.company.name == "Alpha Co"


def test_errors_malformed_json_on_an_anonymous_endpoint(api, db):
    response = api.generic(
        "POST",
        "/api/auth/users/login/",
        "{email: nope}",
        content_type="application/json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_errors_json_that_is_not_an_object(api, db):
    response = api.post("/api/auth/users/login/", ["a", "list"], format="json", **EN)

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {
            "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
        },
    }


def test_errors_wrong_types_are_field_errors(api, super_admin):
    body = {
        "name": ["not", "a", "string"],
        "slug": "typed",
        "min_notice_minutes": "an hour",
        "booking_horizon_days": -3,
        "requires_approval": "sometimes",
        "reminder_offsets_minutes": "daily",
    }

    response = api.as_user(super_admin).post("/api/companies/", body, **EN)

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {
            "name": ["Not a valid string."],
            "min_notice_minutes": ["A valid integer is required."],
            "booking_horizon_days": [
                "Ensure this value is greater than or equal to 1."
            ],
            "requires_approval": ["Must be a valid boolean."],
            "reminder_offsets_minutes": ["Give a list of minutes between 1 and 10080."],
        },
    }
    assert Company.objects.count() == 0


def test_errors_unknown_ids_are_404(api, tenant_a, super_admin):
    paths = [
        "/api/companies/999999/",
        "/api/companies/999999/statistics/",
        "/api/companies/999999/members/",
        f"/api/companies/{tenant_a.company.id}/members/999999/",
        "/api/auth/users/999999/",
    ]

    responses = {
        path: api.as_user(super_admin).patch(path, {}, **EN)
        if path.endswith("members/999999/")
        else api.as_user(super_admin).get(path, **EN)
        for path in paths
    }

    assert {path: r.status_code for path, r in responses.items()} == {
        path: 404 for path in paths
    }
    assert {path: r.json()["code"] for path, r in responses.items()} == {
        path: "not_found" for path in paths
    }
    assert responses["/api/auth/users/999999/"].json() == {
        "code": "not_found",
        "detail": "Not found.",
    }


def test_errors_non_numeric_id_is_404(api, super_admin):
    response = api.as_user(super_admin).get("/api/companies/abc/", **EN)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_errors_wrong_method_is_405(api, tenant_a):
    client = api.as_user(tenant_a.admin)

    get_login = client.get("/api/auth/users/login/", **EN)
    delete_me = client.delete("/api/auth/users/me/", **EN)
    put_company = client.put(f"/api/companies/{tenant_a.company.id}/", {}, **EN)

    assert (get_login.status_code, delete_me.status_code, put_company.status_code) == (
        405,
        405,
        405,
    )
    assert get_login.json() == {
        "code": "method_not_allowed",
        "detail": "Method GET is not allowed.",
    }
    assert delete_me.json()["detail"] == "Method DELETE is not allowed."
    assert put_company.json()["detail"] == "Method PUT is not allowed."


def test_errors_unauthenticated_is_401_with_a_challenge(api, db):
    response = api.get("/api/companies/", **EN)

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }
    assert response["WWW-Authenticate"] == "Token"


def test_errors_bad_token_is_401(api, db):
    response = api.get(
        "/api/auth/users/me/", HTTP_AUTHORIZATION="Token not-a-real-token", **EN
    )

    assert response.status_code == 401
    assert response.json() == {
        "code": "authentication_failed",
        "detail": "The credentials are not valid.",
    }


def test_errors_role_not_allowed_is_403(api, tenant_a):
    response = api.as_user(tenant_a.admin).post(
        "/api/companies/", {"name": "X", "slug": "x"}, **EN
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "You do not have permission to perform this action.",
    }


def test_errors_unsupported_media_type_is_415(api, tenant_a):
    response = api.as_user(tenant_a.admin).generic(
        "PATCH",
        f"/api/companies/{tenant_a.company.id}/",
        "name=X",
        content_type="text/plain",
        **EN,
    )

    assert response.status_code == 415
    assert response.json() == {
        "code": "unsupported_media_type",
        "detail": "Unsupported media type in the request.",
    }


def test_errors_company_must_be_named_by_multi_company_staff(api, tenant_a, tenant_b):
    from apps.companies.models import Membership, Role

    Membership.objects.create(
        user=tenant_a.admin, company=tenant_b.company, role=Role.ADMIN
    )

    response = api.as_user(tenant_a.admin).get(
        "/api/auth/users/", {"company": "alpha"}, **EN
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Some fields are not valid.",
        "fields": {"company": ["A valid company id is required."]},
    }
