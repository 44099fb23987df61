"""Every scheduling endpoint answers 404 for another company's object.

Each role of company A (admin, manager, actor, customer) aims at company
B's actors, services, offers, hours, blocks, appointments and series; every
call answers 404 and changes nothing. Lists filtered by company B are empty.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from apps.appointments.models import (
    Appointment,
    AppointmentSeries,
    AppointmentStatus,
    TimeBlock,
)

from ..support import APPOINTMENTS, AVAILABILITY, EN, TUESDAY, at, make_shop, snapshot

ROLES = ["admin", "manager", "actor_user", "customer"]
BASE = "/api/appointments/"


@dataclass
class World:
    """Company B's scheduling objects, and company A's shop for mixed calls."""

    a: object
    b: object
    block: TimeBlock
    appointment: Appointment
    series: AppointmentSeries

    @property
    def hours(self):
        return self.b.actor.working_hours.order_by("weekday").first()


@pytest.fixture
def world(tenant_a, tenant_b, frozen) -> World:
    a, b = make_shop(tenant_a), make_shop(tenant_b)
    block = b.actor.time_blocks.create(
        company=b.company,
        start=at(TUESDAY, 12),
        end=at(TUESDAY, 13),
        reason="Lunch",
    )
    series = AppointmentSeries.objects.create(
        company=b.company,
        actor=b.actor,
        service=b.service,
        customer=tenant_b.customer,
        rrule="FREQ=WEEKLY;COUNT=2",
        dtstart=at(TUESDAY, 15),
        created_by=tenant_b.customer,
    )
    appointment = b.book(at(TUESDAY, 10))
    occurrence = b.book(at(TUESDAY, 15))
    occurrence.series = series
    occurrence.save(update_fields=["series"])
    return World(a=a, b=b, block=block, appointment=appointment, series=series)


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: Callable[[World], str]
    body: Callable[[World], dict | None] = lambda w: None


def appointment_action(name: str, body=lambda w: {"reason": "x"}) -> Call:
    return Call(
        f"appointment {name}",
        "post",
        lambda w: f"{APPOINTMENTS}{w.appointment.id}/{name}/",
        body,
    )


CALLS = [
    Call("actor retrieve", "get", lambda w: f"{BASE}actors/{w.b.actor.id}/"),
    Call(
        "actor update",
        "patch",
        lambda w: f"{BASE}actors/{w.b.actor.id}/",
        lambda w: {"display_name": "Hijacked"},
    ),
    Call(
        "actor create in other company",
        "post",
        lambda w: f"{BASE}actors/",
        lambda w: {"company": w.b.company.id, "user": w.a.tenant.customer.id},
    ),
    Call("service retrieve", "get", lambda w: f"{BASE}services/{w.b.service.id}/"),
    Call(
        "service update",
        "patch",
        lambda w: f"{BASE}services/{w.b.service.id}/",
        lambda w: {"price": "1.00"},
    ),
    Call("service delete", "delete", lambda w: f"{BASE}services/{w.b.service.id}/"),
    Call(
        "service create in other company",
        "post",
        lambda w: f"{BASE}services/",
        lambda w: {
            "company": w.b.company.id,
            "name": "Intruder",
            "duration_minutes": 30,
            "price": "10.00",
        },
    ),
    Call(
        "services by actor",
        "get",
        lambda w: f"{BASE}services/by_actor/?actor={w.b.actor.id}",
    ),
    Call(
        "actor-service retrieve",
        "get",
        lambda w: f"{BASE}actor-services/{w.b.offer.id}/",
    ),
    Call(
        "actor-service update",
        "patch",
        lambda w: f"{BASE}actor-services/{w.b.offer.id}/",
        lambda w: {"price": "1.00"},
    ),
    Call(
        "actor-service delete",
        "delete",
        lambda w: f"{BASE}actor-services/{w.b.offer.id}/",
    ),
    Call(
        "actor-service create",
        "post",
        lambda w: f"{BASE}actor-services/",
        lambda w: {"actor": w.b.actor.id, "service": w.b.service.id, "price": "1.00"},
    ),
    Call(
        "working-hours retrieve",
        "get",
        lambda w: f"{BASE}working-hours/{w.hours.id}/",
    ),
    Call(
        "working-hours update",
        "patch",
        lambda w: f"{BASE}working-hours/{w.hours.id}/",
        lambda w: {"end_time": "19:00"},
    ),
    Call(
        "working-hours delete",
        "delete",
        lambda w: f"{BASE}working-hours/{w.hours.id}/",
    ),
    Call(
        "working-hours create",
        "post",
        lambda w: f"{BASE}working-hours/",
        lambda w: {
            "actor": w.b.actor.id,
            "weekday": 0,
            "start_time": "20:00",
            "end_time": "22:00",
        },
    ),
    Call("time-block retrieve", "get", lambda w: f"{BASE}time-blocks/{w.block.id}/"),
    Call(
        "time-block update",
        "patch",
        lambda w: f"{BASE}time-blocks/{w.block.id}/",
        lambda w: {"reason": "Hijacked"},
    ),
    Call("time-block delete", "delete", lambda w: f"{BASE}time-blocks/{w.block.id}/"),
    Call(
        "time-block create",
        "post",
        lambda w: f"{BASE}time-blocks/",
        lambda w: {
            "actor": w.b.actor.id,
            "start": "2027-01-06T10:00",
            "end": "2027-01-06T11:00",
        },
    ),
    Call(
        "availability of other company's service",
        "get",
        lambda w: f"{AVAILABILITY}?service={w.b.service.id}&date_from=2027-01-05",
    ),
    Call(
        "availability of other company's service and actor",
        "get",
        lambda w: (
            f"{AVAILABILITY}?service={w.b.service.id}&actor={w.b.actor.id}"
            "&date_from=2027-01-05"
        ),
    ),
    Call(
        "availability of own service with other company's actor",
        "get",
        lambda w: (
            f"{AVAILABILITY}?service={w.a.service.id}&actor={w.b.actor.id}"
            "&date_from=2027-01-05"
        ),
    ),
    Call(
        "appointment create with other company's actor and service",
        "post",
        lambda w: APPOINTMENTS,
        lambda w: {
            "actor": w.b.actor.id,
            "service": w.b.service.id,
            "start": "2027-01-05T11:00:00-03:00",
        },
    ),
    Call("appointment retrieve", "get", lambda w: f"{APPOINTMENTS}{w.appointment.id}/"),
    Call(
        "appointment update",
        "patch",
        lambda w: f"{APPOINTMENTS}{w.appointment.id}/",
        lambda w: {"notes": "Hijacked"},
    ),
    appointment_action("confirm"),
    appointment_action("reject"),
    appointment_action("cancel"),
    appointment_action("complete"),
    appointment_action("no_show"),
    appointment_action("reschedule", lambda w: {"start": "2027-01-05T16:00:00-03:00"}),
    Call(
        "appointment history",
        "get",
        lambda w: f"{APPOINTMENTS}{w.appointment.id}/history/",
    ),
    Call("series retrieve", "get", lambda w: f"{BASE}series/{w.series.id}/"),
    Call(
        "series cancel",
        "post",
        lambda w: f"{BASE}series/{w.series.id}/cancel/",
        lambda w: {},
    ),
]

LISTS = [
    "actors/",
    "services/",
    "actor-services/",
    "working-hours/",
    "time-blocks/",
    "",
]


def state(world: World) -> tuple:
    rows = snapshot()
    actor = world.b.actor.__class__.objects.values().get(pk=world.b.actor.pk)
    service = world.b.service.__class__.objects.values().get(pk=world.b.service.pk)
    offer = world.b.offer.__class__.objects.values().get(pk=world.b.offer.pk)
    block = TimeBlock.objects.values().get(pk=world.block.pk)
    appointment = Appointment.objects.values().get(pk=world.appointment.pk)
    return rows, actor, service, offer, block, appointment


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", CALLS, ids=lambda call: call.name)
def test_scheduling_other_company_objects_answer_404(api, world, call, role):
    user = getattr(world.a.tenant, role)
    before = state(world)

    response = getattr(api.as_user(user), call.method)(
        call.path(world), call.body(world), format="json", **EN
    )

    assert response.status_code == 404, response.json()
    assert response.json()["code"] == "not_found"
    assert state(world) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", LISTS)
def test_scheduling_lists_filtered_by_other_company_are_empty(api, world, path, role):
    user = getattr(world.a.tenant, role)

    response = api.as_user(user).get(f"{BASE}{path}", {"company": world.b.company.id})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", LISTS)
def test_scheduling_lists_never_show_other_company_rows(api, world, path, role):
    user = getattr(world.a.tenant, role)

    response = api.as_user(user).get(f"{BASE}{path}", {"page_size": 200})

    assert response.status_code == 200
    companies = {
        row.get("company", world.a.company.id) for row in response.json()["results"]
    }
    assert world.b.company.id not in companies
    ids = {row["id"] for row in response.json()["results"]}
    foreign = {
        "actors/": {world.b.actor.id},
        "services/": {world.b.service.id},
        "actor-services/": {world.b.offer.id},
        "working-hours/": set(world.b.actor.working_hours.values_list("id", flat=True)),
        "time-blocks/": {world.block.id},
        "": set(
            Appointment.objects.filter(company=world.b.company).values_list(
                "id", flat=True
            )
        ),
    }[path]
    assert ids.isdisjoint(foreign)


def test_scheduling_super_admin_reaches_other_company(api, world, super_admin):
    appointment = api.as_user(super_admin).get(f"{APPOINTMENTS}{world.appointment.id}/")
    series = api.as_user(super_admin).get(f"{BASE}series/{world.series.id}/")

    assert appointment.status_code == 200
    assert appointment.json()["status"] == AppointmentStatus.CONFIRMED
    assert series.status_code == 200
    assert series.json()["occurrences"][0]["start"] == "2027-01-05T15:00:00-03:00"


def test_scheduling_world_is_built_as_described(world):
    # Guards the matrix: each call aims at rows that exist.
    assert Appointment.objects.filter(company=world.b.company).count() == 2
    assert world.series.appointments.count() == 1
    assert TimeBlock.objects.get(pk=world.block.pk).start == at(TUESDAY, 12)
