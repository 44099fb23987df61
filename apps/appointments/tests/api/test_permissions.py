"""Who sees which appointments and who may move them along their lifecycle."""

from datetime import date

import pytest

from apps.appointments.models import Appointment, AppointmentStatus

from ..support import (
    APPOINTMENTS,
    AVAILABILITY,
    EN,
    MONDAY,
    TUESDAY,
    at,
    make_appointment,
    snapshot,
)

PAST_FRIDAY = date(2027, 1, 1)
PENDING, CONFIRMED = AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED
FORBIDDEN = {
    "code": "permission_denied",
    "detail": "You do not have permission to perform this action.",
}


def people(shop, second_actor) -> dict:
    tenant = shop.tenant
    return {
        "admin": tenant.admin,
        "manager": tenant.manager,
        "actor": tenant.actor_user,
        "other_actor": second_actor.user,
        "customer": tenant.customer,
        "other_customer": tenant.other_customer,
    }


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# Visibility


def test_appointment_list_customer_sees_only_own(api, shop_a, second_actor, frozen):
    mine = make_appointment(shop_a, at(TUESDAY, 10))
    make_appointment(shop_a, at(TUESDAY, 11), customer=shop_a.tenant.other_customer)
    mine_elsewhere = make_appointment(shop_a, at(TUESDAY, 12), actor=second_actor)

    response = api.as_user(shop_a.tenant.customer).get(APPOINTMENTS)

    assert response.status_code == 200
    assert ids(response) == [mine.id, mine_elsewhere.id]


def test_appointment_retrieve_other_customers_answers_404(api, shop_a, frozen):
    theirs = make_appointment(
        shop_a, at(TUESDAY, 11), customer=shop_a.tenant.other_customer
    )

    response = api.as_user(shop_a.tenant.customer).get(
        f"{APPOINTMENTS}{theirs.id}/", **EN
    )

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_appointment_list_customer_filter_cannot_widen_view(api, shop_a, frozen):
    make_appointment(shop_a, at(TUESDAY, 11), customer=shop_a.tenant.other_customer)

    response = api.as_user(shop_a.tenant.customer).get(
        APPOINTMENTS, {"customer": shop_a.tenant.other_customer.id}
    )

    assert response.json()["count"] == 0


def test_appointment_list_actor_sees_only_own(api, shop_a, second_actor, frozen):
    own = make_appointment(shop_a, at(TUESDAY, 10))
    other = make_appointment(shop_a, at(TUESDAY, 10), actor=second_actor)

    response = api.as_user(shop_a.tenant.actor_user).get(APPOINTMENTS)
    retrieve = api.as_user(shop_a.tenant.actor_user).get(f"{APPOINTMENTS}{other.id}/")

    assert ids(response) == [own.id]
    assert retrieve.status_code == 404


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_appointment_list_managers_see_whole_company(
    api, shop_a, shop_b, second_actor, frozen, role
):
    first = make_appointment(shop_a, at(TUESDAY, 10))
    second = make_appointment(shop_a, at(TUESDAY, 11), actor=second_actor)
    make_appointment(shop_b, at(TUESDAY, 10))

    response = api.as_user(getattr(shop_a.tenant, role)).get(APPOINTMENTS)

    assert ids(response) == [first.id, second.id]


def test_availability_one_actor_answer_has_exactly_public_keys(api, shop_a, frozen):
    make_appointment(shop_a, at(TUESDAY, 10), customer=shop_a.tenant.other_customer)

    response = api.as_user(shop_a.tenant.customer).get(
        AVAILABILITY,
        {
            "service": shop_a.service.id,
            "actor": shop_a.actor.id,
            "date_from": "2027-01-05",
        },
    )

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {
        "timezone",
        "service",
        "actor",
        "date_from",
        "date_to",
        "slots",
    }
    assert {tuple(sorted(slot)) for slot in body["slots"]} == {("end", "start")}
    # The other customer's 10:00-11:00 shows only as missing starts.
    starts = [slot["start"][11:16] for slot in body["slots"]]
    assert starts[:4] == ["09:00", "11:00", "11:15", "11:30"]


def test_availability_any_actor_answer_has_exactly_public_keys(
    api, shop_a, second_actor, frozen
):
    make_appointment(shop_a, at(TUESDAY, 10), customer=shop_a.tenant.other_customer)

    response = api.as_user(shop_a.tenant.customer).get(
        AVAILABILITY, {"service": shop_a.service.id, "date_from": "2027-01-05"}
    )

    body = response.json()
    assert set(body) == {"timezone", "service", "date_from", "date_to", "actors"}
    assert [set(entry) for entry in body["actors"]] == [
        {"actor", "display_name", "slots"},
        {"actor", "display_name", "slots"},
    ]
    slot_keys = {
        tuple(sorted(slot)) for entry in body["actors"] for slot in entry["slots"]
    }
    assert slot_keys == {("end", "start")}
    assert "customer2@alpha.example.com" not in response.content.decode()


# The transition matrix: each role on an appointment of the actor `actor`
# and the customer `customer`.

ROLES = ["admin", "manager", "actor", "other_actor", "customer", "other_customer"]
EXPECTED = {
    # action: (status the appointment starts in, is it past, codes by role)
    "confirm": (PENDING, False, [200, 200, 200, 404, 403, 404]),
    "reject": (PENDING, False, [200, 200, 200, 404, 403, 404]),
    "cancel": (CONFIRMED, False, [200, 200, 200, 404, 200, 404]),
    "complete": (CONFIRMED, True, [200, 200, 200, 404, 403, 404]),
    "no_show": (CONFIRMED, True, [200, 200, 200, 404, 403, 404]),
    "reschedule": (CONFIRMED, False, [200, 200, 200, 404, 200, 404]),
}
RESULT = {
    "confirm": CONFIRMED,
    "reject": AppointmentStatus.REJECTED,
    "cancel": AppointmentStatus.CANCELLED,
    "complete": AppointmentStatus.COMPLETED,
    "no_show": AppointmentStatus.NO_SHOW,
    "reschedule": CONFIRMED,
}
MATRIX = [
    (action, role, code)
    for action, (_status, _past, codes) in EXPECTED.items()
    for role, code in zip(ROLES, codes, strict=True)
]


def act(api, user, appointment: Appointment, action: str):
    body = {"start": "2027-01-05T15:00"} if action == "reschedule" else {}
    return api.as_user(user).post(
        f"{APPOINTMENTS}{appointment.id}/{action}/", body, format="json", **EN
    )


@pytest.mark.parametrize(
    ("action", "role", "code"), MATRIX, ids=[f"{a}-{r}" for a, r, _ in MATRIX]
)
def test_appointment_transition_matrix(
    api, shop_a, second_actor, frozen, action, role, code
):
    status, is_past, _codes = EXPECTED[action]
    start = at(PAST_FRIDAY, 10) if is_past else at(TUESDAY, 10)
    appointment = make_appointment(shop_a, start, status)
    user = people(shop_a, second_actor)[role]
    before = snapshot()

    response = act(api, user, appointment, action)

    assert response.status_code == code
    appointment.refresh_from_db()
    if code == 200:
        assert response.json()["status"] == RESULT[action]
        assert appointment.status == RESULT[action]
        assert appointment.history.get().by == user
    else:
        assert snapshot() == before
    if code == 403:
        assert response.json() == FORBIDDEN


@pytest.mark.parametrize("action", list(EXPECTED))
def test_appointment_transition_super_admin_may_do_everything(
    api, shop_a, super_admin, frozen, action
):
    status, is_past, _codes = EXPECTED[action]
    start = at(PAST_FRIDAY, 10) if is_past else at(TUESDAY, 10)
    appointment = make_appointment(shop_a, start, status)

    response = act(api, super_admin, appointment, action)

    assert response.status_code == 200
    assert response.json()["status"] == RESULT[action]


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("confirm", CONFIRMED),
        ("reject", CONFIRMED),
        ("cancel", AppointmentStatus.CANCELLED),
        ("cancel", AppointmentStatus.COMPLETED),
        ("complete", PENDING),
        ("no_show", AppointmentStatus.REJECTED),
        ("reschedule", AppointmentStatus.CANCELLED),
    ],
)
def test_appointment_transition_from_wrong_state_answers_409(
    api, shop_a, frozen, action, status
):
    appointment = make_appointment(shop_a, at(PAST_FRIDAY, 10), status)
    before = snapshot()

    response = act(api, shop_a.tenant.manager, appointment, action)

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["status"] == status
    assert snapshot() == before


def test_appointment_complete_before_start_answers_409(api, shop_a, frozen):
    appointment = make_appointment(shop_a, at(TUESDAY, 10))

    response = act(api, shop_a.tenant.manager, appointment, "complete")

    assert response.status_code == 409
    assert response.json() == {
        "code": "not_started",
        "detail": "The appointment has not started yet.",
    }


# The company's cancellation notice (120 minutes by default).

LATE_MESSAGE = (
    "It is too late to cancel or change this appointment; please contact the company."
)


@pytest.mark.parametrize("action", ["cancel", "reschedule"])
def test_customer_change_inside_cancellation_notice_answers_409(
    api, shop_a, frozen, action
):
    # NOW is 08:00; 09:45 is 105 minutes away, inside the 120-minute notice.
    appointment = make_appointment(shop_a, at(MONDAY, 9, 45))
    before = snapshot()

    response = act(api, shop_a.tenant.customer, appointment, action)

    assert response.status_code == 409
    assert response.json() == {
        "code": "cancellation_window_passed",
        "detail": LATE_MESSAGE,
    }
    assert snapshot() == before


def test_customer_cancel_exactly_at_notice_is_allowed(api, shop_a, frozen):
    appointment = make_appointment(shop_a, at(MONDAY, 10))

    response = act(api, shop_a.tenant.customer, appointment, "cancel")

    assert response.status_code == 200
    assert response.json()["status"] == AppointmentStatus.CANCELLED


def test_customer_cancel_follows_company_notice(api, shop_a, frozen):
    shop_a.company.cancellation_notice_minutes = 24 * 60
    shop_a.company.save()
    appointment = make_appointment(shop_a, at(TUESDAY, 7, 45))

    response = act(api, shop_a.tenant.customer, appointment, "cancel")

    assert response.status_code == 409
    assert response.json()["code"] == "cancellation_window_passed"


@pytest.mark.parametrize("role", ["admin", "manager", "actor_user"])
def test_staff_cancel_inside_notice_is_allowed(api, shop_a, frozen, role):
    appointment = make_appointment(shop_a, at(MONDAY, 9))

    response = act(api, getattr(shop_a.tenant, role), appointment, "cancel")

    assert response.status_code == 200
    assert response.json()["status"] == AppointmentStatus.CANCELLED


def test_staff_cancel_after_start_is_allowed(api, shop_a, frozen):
    appointment = make_appointment(shop_a, at(MONDAY, 7, 30))

    response = act(api, shop_a.tenant.manager, appointment, "cancel")

    assert response.status_code == 200
