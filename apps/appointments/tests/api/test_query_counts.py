"""Reads take a fixed number of queries, whatever they find in the range.

Availability (one actor, and every actor offering the service) and the
appointment list are read with one appointment in range and then with 500;
both reads stay under one bound, and take exactly as many queries.
"""

from datetime import date, datetime, time, timedelta

import pytest

from apps.accounts.permissions import forget_memberships
from apps.appointments.models import Actor, Appointment
from apps.companies.models import Role
from apps.core.tests.factories import (
    ActorServiceFactory,
    ServiceFactory,
    actor_of,
    full_week,
    member,
)

from ..support import APPOINTMENTS, AVAILABILITY, SAO_PAULO, TUESDAY

# Each read counts the requester's memberships, as a token's request that
# loads the user anew does; then the service, the offers (with actor and
# service), working hours, time blocks and live appointments.
AVAILABILITY_QUERIES = 6
# The memberships, the page's count and the page itself.
APPOINTMENT_LIST_QUERIES = 3
DATE_FROM = TUESDAY
DATE_TO = TUESDAY + timedelta(days=29)
# 09:00-18:00 every day: 60-minute slots every 15 minutes start 09:00-17:00.
SLOTS_A_DAY = 33
VISITS_A_DAY = 18  # 30-minute visits back to back


def add_visits(shop, actors: list[Actor], count: int, *, first: int = 0) -> None:
    """30-minute visits number `first` to `first + count - 1`.

    The numbers up to `first + count` are shared out in equal blocks among
    `actors`; each block fills its actor's days back to back from DATE_FROM
    09:00, so calls that continue a numbering add to the same layout."""
    trim = ServiceFactory(company=shop.company, name="Trim", duration_minutes=30)
    per_actor = (first + count + len(actors) - 1) // len(actors)
    rows = []
    for number in range(first, first + count):
        actor = actors[number // per_actor]
        position = number % per_actor
        day = DATE_FROM + timedelta(days=position // VISITS_A_DAY)
        start = datetime.combine(day, time(9), tzinfo=SAO_PAULO) + timedelta(
            minutes=30 * (position % VISITS_A_DAY)
        )
        rows.append(
            Appointment(
                company=shop.company,
                actor=actor,
                service=trim,
                customer=shop.tenant.customer,
                start=start,
                end=start + timedelta(minutes=30),
                occupied_start=start,
                occupied_end=start + timedelta(minutes=30),
                status="confirmed",
                price_base=trim.price,
                price_final=trim.price,
                currency="BRL",
            )
        )
    Appointment.objects.bulk_create(rows)


def more_actors(shop, count: int) -> list[Actor]:
    actors = [shop.actor]
    for n in range(count):
        user = member(shop.company, Role.ACTOR, email=f"barber{n}@alpha.example.com")
        actor = actor_of(user, shop.company)
        ActorServiceFactory(actor=actor, service=shop.service)
        full_week(actor)
        actors.append(actor)
    return actors


def read(api, user, url: str, params: dict):
    # Memberships are memoised on the user object; a real request loads
    # the user anew.
    forget_memberships(user)
    response = api.as_user(user).get(url, params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_availability_for_one_actor_same_queries_with_500_appointments(
    api, shop_a, frozen, django_assert_max_num_queries
):
    user = shop_a.tenant.customer
    params = {
        "service": shop_a.service.id,
        "actor": shop_a.actor.id,
        "date_from": DATE_FROM.isoformat(),
        "date_to": DATE_TO.isoformat(),
    }
    add_visits(shop_a, [shop_a.actor], 1)

    with django_assert_max_num_queries(AVAILABILITY_QUERIES) as one:
        few = read(api, user, AVAILABILITY, params)
    add_visits(shop_a, [shop_a.actor], 499, first=1)
    with django_assert_max_num_queries(AVAILABILITY_QUERIES) as five_hundred:
        many = read(api, user, AVAILABILITY, params)

    assert len(one.captured_queries) == len(five_hundred.captured_queries)
    # One visit at 09:00-09:30 takes the 09:00 and 09:15 starts.
    assert len(few["slots"]) == 30 * SLOTS_A_DAY - 2
    # 500 visits fill 27 days and day 28 until 16:00 (16:00-17:00 is free).
    assert len(many["slots"]) == 5 + 2 * SLOTS_A_DAY
    assert many["slots"][0]["start"] == "2027-02-01T16:00:00-03:00"


def test_availability_for_any_actor_same_queries_with_500_appointments(
    api, shop_a, frozen, django_assert_max_num_queries
):
    user = shop_a.tenant.customer
    actors = more_actors(shop_a, 4)
    params = {
        "service": shop_a.service.id,
        "date_from": DATE_FROM.isoformat(),
        "date_to": DATE_TO.isoformat(),
    }
    add_visits(shop_a, actors, 1)

    with django_assert_max_num_queries(AVAILABILITY_QUERIES) as one:
        few = read(api, user, AVAILABILITY, params)
    add_visits(shop_a, actors, 499, first=1)
    with django_assert_max_num_queries(AVAILABILITY_QUERIES) as five_hundred:
        many = read(api, user, AVAILABILITY, params)

    assert len(one.captured_queries) == len(five_hundred.captured_queries)
    assert sorted(entry["actor"] for entry in few["actors"]) == sorted(
        actor.id for actor in actors
    )
    counts_few = {entry["actor"]: len(entry["slots"]) for entry in few["actors"]}
    counts_many = {entry["actor"]: len(entry["slots"]) for entry in many["actors"]}
    assert counts_few == {
        actor.id: 30 * SLOTS_A_DAY - (2 if actor == shop_a.actor else 0)
        for actor in actors
    }
    # 100 visits each: five full days, then the sixth until 14:00.
    assert counts_many == {actor.id: 13 + 24 * SLOTS_A_DAY for actor in actors}


def test_availability_any_actor_queries_do_not_grow_with_actors(
    api, shop_a, frozen, django_assert_max_num_queries
):
    user = shop_a.tenant.customer
    params = {"service": shop_a.service.id, "date_from": DATE_FROM.isoformat()}

    with django_assert_max_num_queries(AVAILABILITY_QUERIES) as alone:
        read(api, user, AVAILABILITY, params)
    more_actors(shop_a, 9)
    with django_assert_max_num_queries(AVAILABILITY_QUERIES) as ten:
        body = read(api, user, AVAILABILITY, params)

    assert len(alone.captured_queries) == len(ten.captured_queries)
    assert len(body["actors"]) == 10


@pytest.mark.parametrize("role", ["manager", "customer", "actor_user"])
def test_appointment_list_same_queries_with_500_appointments(
    api, shop_a, frozen, django_assert_max_num_queries, role
):
    user = getattr(shop_a.tenant, role)
    params = {
        "date_from": DATE_FROM.isoformat(),
        "date_to": DATE_TO.isoformat(),
        "page_size": 200,
    }
    add_visits(shop_a, [shop_a.actor], 1)

    with django_assert_max_num_queries(APPOINTMENT_LIST_QUERIES) as one:
        few = read(api, user, APPOINTMENTS, params)
    add_visits(shop_a, [shop_a.actor], 499, first=1)
    with django_assert_max_num_queries(APPOINTMENT_LIST_QUERIES) as five_hundred:
        many = read(api, user, APPOINTMENTS, params)

    assert len(one.captured_queries) == len(five_hundred.captured_queries)
    assert (few["count"], len(few["results"])) == (1, 1)
    assert (many["count"], len(many["results"])) == (500, 200)
    assert [row["start"] for row in many["results"][:2]] == [
        "2027-01-05T09:00:00-03:00",
        "2027-01-05T09:30:00-03:00",
    ]
    assert many["results"][0]["actor_name"] == shop_a.actor.display_name
    assert many["next"] == (
        "http://testserver/api/appointments/?date_from=2027-01-05"
        "&date_to=2027-02-03&page=2&page_size=200"
    )


def test_appointment_list_days_are_company_days(api, shop_a, frozen):
    # Only appointments starting on DATE_FROM, in São Paulo's day.
    add_visits(shop_a, [shop_a.actor], 20)

    body = read(
        api,
        shop_a.tenant.manager,
        APPOINTMENTS,
        {"date_from": DATE_FROM.isoformat(), "date_to": DATE_FROM.isoformat()},
    )

    assert body["count"] == VISITS_A_DAY
    assert body["results"][-1]["start"] == "2027-01-05T17:30:00-03:00"
    assert date.fromisoformat(body["results"][0]["start"][:10]) == DATE_FROM
