"""The OpenAPI schema says what API.md says and what the views answer."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from apps.core.tests.factories import PASSWORD

ERROR_REF = {"$ref": "#/components/schemas/Error"}
APPOINTMENT_REF = {"$ref": "#/components/schemas/Appointment"}
APPOINTMENT_FIELDS = {
    "id",
    "company",
    "actor",
    "actor_name",
    "service",
    "service_name",
    "customer",
    "customer_name",
    "start",
    "end",
    "status",
    "price",
    "notes",
    "series",
    "created_by",
    "created_at",
    "updated_at",
}
STATUSES = ["pending", "confirmed", "completed", "cancelled", "rejected", "no_show"]
REASONS = [
    "in_past",
    "too_soon",
    "too_far",
    "outside_working_hours",
    "overlaps_appointment",
    "overlaps_block",
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _component(schema, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def _answer(schema, path: str, method: str, status: str) -> dict:
    response = schema["paths"][path][method]["responses"][status]
    return response["content"]["application/json"]["schema"]


def _query(schema, path: str, method: str = "get") -> list[str]:
    parameters = schema["paths"][path][method].get("parameters", [])
    return [p["name"] for p in parameters if p["in"] == "query"]


def _statuses(schema, path: str, method: str) -> list[str]:
    return list(schema["paths"][path][method]["responses"])


def test_schema_appointment_create_answers_an_appointment_or_a_series(schema):
    booking = _answer(schema, "/api/appointments/", "post", "201")

    assert booking == {"$ref": "#/components/schemas/Booking"}
    assert _component(schema, booking) == {
        "oneOf": [APPOINTMENT_REF, {"$ref": "#/components/schemas/SeriesBooking"}]
    }
    assert set(_component(schema, APPOINTMENT_REF)["properties"]) == APPOINTMENT_FIELDS
    series = schema["components"]["schemas"]["SeriesBooking"]
    assert series["properties"]["appointments"] == {
        "type": "array",
        "items": APPOINTMENT_REF,
    }
    assert sorted(series["properties"]) == ["appointments", "series", "skipped"]
    skipped = schema["components"]["schemas"]["Skipped"]
    assert sorted(skipped["properties"]) == ["reason", "start"]


def test_schema_appointment_fields_match_api_md(schema):
    appointment = schema["components"]["schemas"]["Appointment"]["properties"]
    components = schema["components"]["schemas"]

    assert appointment["status"] == {
        "$ref": "#/components/schemas/AppointmentStatusEnum"
    }
    assert components["AppointmentStatusEnum"]["enum"] == STATUSES
    assert appointment["start"] == {
        "type": "string",
        "format": "date-time",
        "description": "With the company's offset.",
    }
    assert appointment["series"] == {"type": "integer", "nullable": True}
    assert appointment["price"] == {"$ref": "#/components/schemas/Price"}
    assert sorted(components["Price"]["properties"]) == [
        "base",
        "currency",
        "discounts",
        "final",
    ]
    assert sorted(components["Discount"]["properties"]) == ["amount", "kind", "label"]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/appointments/{id}/", "get"),
        ("/api/appointments/{id}/", "patch"),
        ("/api/appointments/{id}/confirm/", "post"),
        ("/api/appointments/{id}/reject/", "post"),
        ("/api/appointments/{id}/cancel/", "post"),
        ("/api/appointments/{id}/complete/", "post"),
        ("/api/appointments/{id}/no_show/", "post"),
        ("/api/appointments/{id}/reschedule/", "post"),
    ],
)
def test_schema_appointment_endpoints_answer_the_appointment(schema, path, method):
    assert _answer(schema, path, method, "200") == APPOINTMENT_REF


def test_schema_appointment_list_is_paginated_appointments(schema):
    page = _answer(schema, "/api/appointments/", "get", "200")

    assert page == {"$ref": "#/components/schemas/PaginatedAppointmentList"}
    assert _component(schema, page)["properties"]["results"] == {
        "type": "array",
        "items": APPOINTMENT_REF,
    }


def test_schema_appointment_list_declares_its_filters(schema):
    parameters = schema["paths"]["/api/appointments/"]["get"]["parameters"]
    status = next(p for p in parameters if p["name"] == "status")

    assert sorted(_query(schema, "/api/appointments/")) == [
        "actor",
        "company",
        "customer",
        "date_from",
        "date_to",
        "page",
        "page_size",
        "service",
        "status",
    ]
    assert status["explode"] is False
    assert status["schema"] == {
        "type": "array",
        "items": {"type": "string", "enum": STATUSES},
    }


def test_schema_appointment_history_is_a_bare_list(schema):
    history = _answer(schema, "/api/appointments/{id}/history/", "get", "200")

    assert history == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/History"},
    }
    assert _query(schema, "/api/appointments/{id}/history/") == []
    assert sorted(schema["components"]["schemas"]["History"]["properties"]) == [
        "at",
        "by",
        "from_start",
        "from_status",
        "note",
        "to_start",
        "to_status",
    ]


def test_schema_services_by_actor_is_a_bare_list(schema):
    answer = _answer(schema, "/api/appointments/services/by_actor/", "get", "200")

    assert answer == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/ServiceByActor"},
    }
    assert _query(schema, "/api/appointments/services/by_actor/") == ["actor"]


def test_schema_availability_declares_parameters_and_both_answers(schema):
    path = "/api/appointments/availability/"
    parameters = schema["paths"][path]["get"]["parameters"]
    components = schema["components"]["schemas"]

    assert {p["name"]: p.get("required", False) for p in parameters} == {
        "actor": False,
        "date_from": False,
        "date_to": False,
        "service": True,
    }
    assert _component(schema, _answer(schema, path, "get", "200")) == {
        "oneOf": [
            {"$ref": "#/components/schemas/ActorAvailability"},
            {"$ref": "#/components/schemas/ServiceAvailability"},
        ]
    }
    assert sorted(components["ActorAvailability"]["properties"]) == [
        "actor",
        "date_from",
        "date_to",
        "service",
        "slots",
        "timezone",
    ]
    assert sorted(components["ServiceAvailability"]["properties"]) == [
        "actors",
        "date_from",
        "date_to",
        "service",
        "timezone",
    ]
    assert sorted(components["ActorSlots"]["properties"]) == [
        "actor",
        "display_name",
        "slots",
    ]


def test_schema_login_answers_token_and_user(schema):
    answer = _answer(schema, "/api/auth/users/login/", "post", "200")
    login = _component(schema, answer)

    assert answer == {"$ref": "#/components/schemas/LoginAnswer"}
    assert login["required"] == ["token", "user"]
    assert login["properties"]["user"] == {"$ref": "#/components/schemas/Me"}
    assert _statuses(schema, "/api/auth/users/login/", "post") == [
        "200",
        "400",
        "401",
        "429",
    ]


def test_schema_login_agrees_with_the_real_answer(schema, api, tenant_a):
    response = api.post(
        "/api/auth/users/login/",
        {"email": tenant_a.admin.email, "password": PASSWORD},
    )
    login = schema["components"]["schemas"]["LoginAnswer"]
    me = schema["components"]["schemas"]["Me"]

    assert response.status_code == 200
    assert set(response.json()) == set(login["properties"])
    assert set(response.json()["user"]) == set(me["properties"])


def test_schema_me_types_the_memberships(schema):
    me = schema["components"]["schemas"]["Me"]["properties"]
    membership = schema["components"]["schemas"]["MembershipSummary"]

    assert me["memberships"]["items"] == {
        "$ref": "#/components/schemas/MembershipSummary"
    }
    assert sorted(membership["properties"]) == ["actor_id", "company", "role"]
    assert sorted(schema["components"]["schemas"]["CompanySummary"]["properties"]) == [
        "id",
        "name",
        "slug",
    ]


def test_schema_logout_is_204_without_body(schema):
    logout = schema["paths"]["/api/auth/users/logout/"]["post"]

    assert "requestBody" not in logout
    assert logout["responses"]["204"] == {"description": "No response body"}
    assert _statuses(schema, "/api/auth/users/logout/", "post") == [
        "204",
        "401",
        "403",
    ]


def test_schema_company_statistics(schema):
    path = "/api/companies/{id}/statistics/"
    answer = _answer(schema, path, "get", "200")
    components = schema["components"]["schemas"]

    assert answer == {"$ref": "#/components/schemas/CompanyStatistics"}
    assert sorted(_component(schema, answer)["properties"]) == [
        "appointments",
        "booked_minutes",
        "date_from",
        "date_to",
        "occupancy_rate",
        "revenue",
        "top_actors",
        "top_services",
        "working_minutes",
    ]
    assert sorted(components["AppointmentCounts"]["properties"]) == sorted(
        ["total", *STATUSES]
    )
    assert sorted(components["Revenue"]["properties"]) == [
        "currency",
        "expected",
        "received",
    ]
    assert _statuses(schema, path, "get") == ["200", "400", "401", "403", "404"]


def test_schema_members_list_is_paginated_and_create_is_201(schema):
    path = "/api/companies/{id}/members/"

    assert _answer(schema, path, "get", "200") == {
        "$ref": "#/components/schemas/PaginatedMembershipList"
    }
    assert sorted(_query(schema, path)) == ["page", "page_size", "role"]
    assert _answer(schema, path, "post", "201") == {
        "$ref": "#/components/schemas/Membership"
    }
    assert _statuses(schema, path, "post") == [
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
    ]


def test_schema_error_component_has_code_detail_fields(schema):
    error = schema["components"]["schemas"]["Error"]

    assert sorted(error["properties"]) == ["code", "detail", "fields"]
    assert error["required"] == ["code", "detail"]
    assert error["properties"]["fields"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }


def test_schema_booking_409_is_the_error_with_its_reason(schema):
    conflict = _answer(schema, "/api/appointments/", "post", "409")
    response = schema["paths"]["/api/appointments/"]["post"]["responses"]["409"]

    assert conflict["allOf"][0] == ERROR_REF
    assert conflict["allOf"][1]["properties"]["reason"] == {
        "type": "string",
        "enum": REASONS,
    }
    assert "`slot_unavailable`" in response["description"]
    assert "`idempotency_key_reused`" in response["description"]


def test_schema_every_error_answer_is_the_error_shape(schema):
    shapes = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if status >= "400":
                    body = response["content"]["application/json"]["schema"]
                    shapes.add(repr(body.get("allOf", [body])[0]))

    assert shapes == {repr(ERROR_REF)}


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/appointments/", "get", ["200", "400", "401", "404"]),
        ("/api/appointments/", "post", ["201", "400", "401", "403", "404", "409"]),
        ("/api/appointments/{id}/", "get", ["200", "401", "404"]),
        (
            "/api/appointments/{id}/confirm/",
            "post",
            ["200", "400", "401", "403", "404", "409"],
        ),
        ("/api/auth/users/me/", "get", ["200", "401"]),
        (
            "/api/auth/users/register/",
            "post",
            ["201", "400", "401", "404", "409", "429"],
        ),
        ("/api/feature-flags/flags/", "get", ["200", "401", "403", "404"]),
        ("/api/feature-flags/localization/", "get", ["200", "400", "401", "404"]),
        ("/api/notifications/{id}/read/", "post", ["204", "401", "403", "404"]),
        ("/api/notifications/whatsapp/status/", "post", ["204", "403"]),
    ],
)
def test_schema_declares_the_errors_each_endpoint_gives(schema, path, method, statuses):
    assert _statuses(schema, path, method) == statuses


def test_schema_idempotent_posts_declare_the_header(schema):
    headers = {
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(
            p["in"] == "header" and p["name"] == "Idempotency-Key"
            for p in operation.get("parameters", [])
        )
    }

    assert headers == {
        ("/api/appointments/", "post"),
        ("/api/appointments/actor-services/", "post"),
        ("/api/appointments/actors/", "post"),
        ("/api/appointments/services/", "post"),
        ("/api/appointments/time-blocks/", "post"),
        ("/api/appointments/working-hours/", "post"),
        ("/api/auth/users/", "post"),
        ("/api/auth/users/register/", "post"),
        ("/api/companies/", "post"),
        ("/api/companies/{id}/members/", "post"),
        ("/api/feature-flags/flags/", "post"),
    }


def test_schema_time_block_answer_has_its_recurrence(schema):
    block = schema["components"]["schemas"]["TimeBlock"]["properties"]
    request = schema["components"]["schemas"]["TimeBlockRequest"]["properties"]

    assert sorted(block) == [
        "actor",
        "end",
        "id",
        "reason",
        "recurrence",
        "recurrence_end",
        "rrule",
        "start",
    ]
    assert sorted(request) == ["actor", "end", "reason", "recurrence", "start"]


def test_schema_served_is_the_generated_one(client, db, schema):
    served = client.get("/api/schema/?format=json").json()

    assert (
        served["components"]["schemas"]["Appointment"]
        == (schema["components"]["schemas"]["Appointment"])
    )
    assert (
        served["paths"]["/api/auth/users/logout/"]
        == (schema["paths"]["/api/auth/users/logout/"])
    )
