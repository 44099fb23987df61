"""Twenty bookings of one slot at once, on PostgreSQL, through the API.

Each thread has its own API client and its own database connection, and
all of them are released together by a barrier. Data is committed
(`transaction=True`) so that every thread sees it; `available_apps` lists
every installed app so the flush after each test cascades across them.
"""

import threading
from datetime import time
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from apps.appointments import services
from apps.appointments.models import Appointment
from apps.companies.models import Role
from apps.core.models import IdempotencyRecord
from apps.core.tests.factories import (
    ActorServiceFactory,
    ServiceFactory,
    full_week,
    member,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
]

URL = "/api/appointments/"
NOW = "2027-01-04 08:00:00-03:00"  # a Monday morning in São Paulo
THREADS = 20
ROUNDS = 3
TAKEN = {
    "code": "slot_unavailable",
    "detail": "The time overlaps another appointment.",
    "reason": "overlaps_appointment",
}
# Pairs of live appointments of one actor whose occupied times overlap.
OVERLAPS_SQL = """
    SELECT a.id, b.id
    FROM appointments_appointment a
    JOIN appointments_appointment b
      ON a.actor_id = b.actor_id
     AND a.id < b.id
     AND a.occupied_start < b.occupied_end
     AND b.occupied_start < a.occupied_end
    WHERE a.status IN ('pending', 'confirmed')
      AND b.status IN ('pending', 'confirmed')
"""


@pytest.fixture
def shop(tenant_a):
    service = ServiceFactory(
        company=tenant_a.company,
        name="Cut",
        duration_minutes=60,
        price=Decimal("50.00"),
    )
    ActorServiceFactory(actor=tenant_a.actor, service=service)
    full_week(tenant_a.actor, start=time(8), end=time(20))
    customers = [
        member(tenant_a.company, Role.CUSTOMER, email=f"racer{n}@alpha.example.com")
        for n in range(THREADS)
    ]
    return tenant_a, service, customers


def race(requests: list[tuple], headers: dict | None = None) -> list:
    """POST every (user, body) at once; the answers in the same order, as
    (status, body, replayed header) or the exception a thread raised."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index: int, user, body) -> None:
        client = APIClient()
        client.force_authenticate(user=user)
        try:
            barrier.wait(timeout=30)
            response = client.post(
                URL,
                body,
                format="json",
                HTTP_ACCEPT_LANGUAGE="en",
                **(headers or {}),
            )
            results[index] = (
                response.status_code,
                response.json(),
                response.headers.get("Idempotent-Replayed"),
            )
        except BaseException as exc:  # reported by the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, user, body))
        for index, (user, body) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert [r for r in results if not isinstance(r, tuple)] == []
    return results


def overlapping_pairs() -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        return cursor.fetchall()


def assert_one_winner(results: list, round_starts: list[str]) -> dict:
    statuses = sorted(status for status, _body, _replayed in results)
    assert statuses == [201] + [409] * (THREADS - 1)
    (winner,) = [body for status, body, _ in results if status == 201]
    assert [body for status, body, _ in results if status == 409] == [TAKEN] * (
        THREADS - 1
    )
    assert winner["start"] in round_starts
    return winner


def test_twenty_bookings_of_one_slot_one_wins(shop):
    tenant, service, customers = shop
    winners = []

    with time_machine.travel(NOW, tick=True):
        for hour in range(10, 10 + 2 * ROUNDS, 2):
            start = f"2027-01-05T{hour}:00:00-03:00"
            body = {"actor": tenant.actor.id, "service": service.id, "start": start}
            results = race([(customer, body) for customer in customers])
            winners.append(assert_one_winner(results, [start]))

    assert list(Appointment.objects.order_by("start").values_list("id", "status")) == [
        (winner["id"], "confirmed") for winner in winners
    ]
    assert overlapping_pairs() == []


def test_twenty_overlapping_bookings_of_different_lengths_one_wins(shop):
    tenant, _service, customers = shop
    company = tenant.company
    # Four services of different lengths and buffers; every start below
    # makes each of them occupy 10:45-11:00, so any two bookings overlap.
    services_by_length = [
        ServiceFactory(
            company=company,
            name=f"Service {minutes}",
            duration_minutes=minutes,
            buffer_before_minutes=before,
            buffer_after_minutes=after,
        )
        for minutes, before, after in (
            (60, 0, 0),
            (75, 15, 0),
            (90, 0, 15),
            (120, 15, 15),
        )
    ]
    for service in services_by_length:
        ActorServiceFactory(actor=tenant.actor, service=service)
    winners = []

    with time_machine.travel(NOW, tick=True):
        for day in range(5, 5 + ROUNDS):
            starts = [
                f"2027-01-{day:02d}T10:{minute:02d}:00-03:00"
                for minute in (0, 15, 30, 45)
            ]
            requests = [
                (
                    customer,
                    {
                        "actor": tenant.actor.id,
                        "service": services_by_length[n % 4].id,
                        "start": starts[(n // 4) % 4],
                    },
                )
                for n, customer in enumerate(customers)
            ]
            results = race(requests)
            winners.append(assert_one_winner(results, starts))

    assert list(Appointment.objects.order_by("start").values_list("id", flat=True)) == [
        winner["id"] for winner in winners
    ]
    assert overlapping_pairs() == []


def test_twenty_retries_with_one_idempotency_key_book_once(shop):
    tenant, service, _customers = shop
    customer = tenant.customer
    body = {
        "actor": tenant.actor.id,
        "service": service.id,
        "start": "2027-01-05T10:00:00-03:00",
    }

    with time_machine.travel(NOW, tick=True):
        results = race(
            [(customer, body)] * THREADS,
            headers={"HTTP_IDEMPOTENCY_KEY": "retry-after-timeout"},
        )

    (appointment,) = Appointment.objects.all()
    first_answer = results[0][1]
    assert [(status, answer) for status, answer, _ in results] == [
        (201, first_answer)
    ] * THREADS
    assert first_answer["id"] == appointment.id
    assert sorted(str(replayed) for _, _, replayed in results) == ["None"] + [
        "true"
    ] * (THREADS - 1)
    assert (
        IdempotencyRecord.objects.filter(
            user=customer, key="retry-after-timeout", status_code=201
        ).count()
        == 1
    )
    assert appointment.history.count() == 1


def test_exclusion_constraint_alone_turns_the_race_into_409s(shop, monkeypatch):
    """A writer that skipped the actor's lock and the service layer's check
    still cannot double-book: the database refuses, and the API says 409."""
    tenant, service, customers = shop
    monkeypatch.setattr(services, "lock_actor", lambda actor: None)
    monkeypatch.setattr(services, "slot_check", lambda **kwargs: None)
    start = "2027-01-05T10:00:00-03:00"
    body = {"actor": tenant.actor.id, "service": service.id, "start": start}

    with time_machine.travel(NOW, tick=True):
        results = race([(customer, body) for customer in customers])

    winner = assert_one_winner(results, [start])
    assert list(Appointment.objects.values_list("id", flat=True)) == [winner["id"]]
    assert overlapping_pairs() == []
