"""A recurring booking racing single bookings of the same actor, on
PostgreSQL with real threads, each on its own connection.

Data is committed (`transaction=True`) so that every thread sees it.
`available_apps` lists every installed app only so that the flush after each
test may cascade across tables of apps with swapped models.
"""

import threading
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from apps.appointments.models import Appointment, AppointmentSeries
from apps.core.tests.factories import ActorServiceFactory, ServiceFactory, full_week

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
]

URL = "/api/appointments/"
NOW = "2027-01-01 12:00:00+00:00"
FIRST_MONDAY = date(2027, 1, 4)
OCCURRENCES = 10
ROUNDS = 4
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
    company = tenant_a.company
    company.booking_horizon_days = 120
    company.save(update_fields=["booking_horizon_days"])
    service = ServiceFactory(
        company=company, name="Cut", duration_minutes=45, price=Decimal("50.00")
    )
    ActorServiceFactory(actor=tenant_a.actor, service=service)
    full_week(tenant_a.actor, start=time(6), end=time(22))
    return tenant_a, service


def post_in_thread(user, body, results, name, barrier):
    def run():
        client = APIClient()
        client.force_authenticate(user=user)
        try:
            barrier.wait(timeout=20)
            response = client.post(URL, body, format="json")
            results[name] = (response.status_code, response.json())
        except BaseException as exc:  # reported by the assertions
            results[name] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def race(tenant, service, *, hour: int, skip_conflicts: bool) -> dict:
    """One weekly series against one single booking per occurrence, 15
    minutes later, all released at once."""
    series_body = {
        "actor": tenant.actor.id,
        "service": service.id,
        "customer": tenant.customer.id,
        "start": f"{FIRST_MONDAY.isoformat()}T{hour:02d}:00",
        "recurrence": {"frequency": "weekly", "count": OCCURRENCES},
        "skip_conflicts": skip_conflicts,
    }
    singles = {
        f"single-{week}": {
            "actor": tenant.actor.id,
            "service": service.id,
            "start": (
                f"{(FIRST_MONDAY + timedelta(weeks=week)).isoformat()}T{hour:02d}:15"
            ),
        }
        for week in range(OCCURRENCES)
    }
    barrier = threading.Barrier(1 + len(singles))
    results: dict = {}
    threads = [
        post_in_thread(tenant.manager, series_body, results, "series", barrier),
        *(
            post_in_thread(tenant.customer, body, results, name, barrier)
            for name, body in singles.items()
        ),
    ]
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def overlapping_pairs() -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        return cursor.fetchall()


def test_series_racing_single_bookings_never_overlaps(shop):
    tenant, service = shop
    outcomes = []

    with time_machine.travel(NOW, tick=False):
        for round_number in range(ROUNDS):
            results = race(
                tenant, service, hour=8 + 2 * round_number, skip_conflicts=False
            )
            outcomes.append(results)

    assert overlapping_pairs() == []
    for results in outcomes:
        assert [
            name for name, result in results.items() if isinstance(result, Exception)
        ] == []
        statuses = {name: status for name, (status, _) in results.items()}
        assert set(statuses.values()) <= {201, 409}
        for status, body in results.values():
            if status == 409:
                assert body["code"] == "slot_unavailable"
        singles_won = sum(
            1 for name, status in statuses.items() if name != "series" and status == 201
        )
        # All or nothing: the series wins every slot, or the singles win
        # theirs and the series, refused whole, creates nothing.
        if statuses["series"] == 201:
            assert singles_won == 0
            series_id = results["series"][1]["series"]
            assert Appointment.objects.filter(series_id=series_id).count() == 10
        else:
            assert singles_won >= 1
            assert [item["reason"] for item in results["series"][1]["conflicts"]] == [
                "overlaps_appointment"
            ] * len(results["series"][1]["conflicts"])
    series_won = sum(1 for results in outcomes if results["series"][0] == 201)
    assert AppointmentSeries.objects.count() == series_won
    assert Appointment.objects.filter(series__isnull=True).count() == sum(
        1
        for results in outcomes
        for name, (status, _) in results.items()
        if name != "series" and status == 201
    )


def test_series_with_skip_conflicts_racing_single_bookings_never_overlaps(shop):
    tenant, service = shop
    outcomes = []

    with time_machine.travel(NOW, tick=False):
        for round_number in range(ROUNDS):
            results = race(
                tenant, service, hour=8 + 2 * round_number, skip_conflicts=True
            )
            outcomes.append(results)

    assert overlapping_pairs() == []
    for results in outcomes:
        assert [
            name for name, result in results.items() if isinstance(result, Exception)
        ] == []
        series_status, series_body = results["series"]
        singles_won = sum(
            1
            for name, (status, _) in results.items()
            if name != "series" and status == 201
        )
        assert {status for status, _ in results.values()} <= {201, 409}
        if series_status == 201:
            # Every occurrence was created or skipped for a single that won.
            created = len(series_body["appointments"])
            skipped = len(series_body["skipped"])
            assert created + skipped == OCCURRENCES
            assert skipped == singles_won
        else:
            assert singles_won == OCCURRENCES
