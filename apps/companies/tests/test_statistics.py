"""`GET /api/companies/{id}/statistics/`: the figures of one week, exactly.

The week is Monday 2030-03-04 to Sunday 2030-03-10 in São Paulo. Days are
the company's days: an appointment at 23:30 on Sunday the 10th (02:30 UTC
on the 11th) is inside, one at 23:00 on Sunday the 3rd (02:00 UTC on the
4th) is not.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.appointments.models import Appointment
from apps.companies.models import Role
from apps.core.tests.factories import (
    ServiceFactory,
    WorkingHoursFactory,
    actor_of,
    member,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MONDAY = datetime(2030, 3, 4, tzinfo=SAO_PAULO)
WEEK = {"date_from": "2030-03-04", "date_to": "2030-03-10"}


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(days=day_offset, hours=hour, minutes=minute)


@pytest.fixture
def week(tenant_a, tenant_b):
    company = tenant_a.company
    ana = tenant_a.actor
    ana.display_name = "Ana"
    ana.save()
    bia = actor_of(member(company, Role.ACTOR, email="bia@alpha.example.com"), company)
    bia.display_name = "Bia"
    bia.save()
    resting = actor_of(
        member(company, Role.ACTOR, email="caio@alpha.example.com"), company
    )
    resting.is_bookable = False
    resting.save()

    # Ana: weekdays 09:00-12:00 and 13:00-18:00, 5 x 480 = 2400 minutes.
    for weekday in range(5):
        WorkingHoursFactory(
            actor=ana, weekday=weekday, start_time=time(9), end_time=time(12)
        )
        WorkingHoursFactory(
            actor=ana, weekday=weekday, start_time=time(13), end_time=time(18)
        )
    # Bia: Wednesday night 22:00-02:00 (240), Saturday 09:00-13:00 (240) and
    # Sunday night 22:00-01:00: 120 minutes on Sunday the 10th, and the
    # 60 minutes after midnight of Sunday the 3rd, on Monday the 4th.
    for weekday, start, end in ((2, 22, 2), (5, 9, 13), (6, 22, 1)):
        WorkingHoursFactory(
            actor=bia, weekday=weekday, start_time=time(start), end_time=time(end)
        )
    # Not bookable: these hours count for nothing.
    WorkingHoursFactory(actor=resting, weekday=0, start_time=time(9), end_time=time(17))

    cut = ServiceFactory(company=company, name="Cut", duration_minutes=60)
    colour = ServiceFactory(company=company, name="Colour", duration_minutes=90)
    beard = ServiceFactory(company=company, name="Beard", duration_minutes=30)

    def book(actor, service, start, status, price, *, company=company, customer=None):
        Appointment.objects.create(
            company=company,
            actor=actor,
            service=service,
            customer=customer or tenant_a.customer,
            start=start,
            end=start + timedelta(minutes=service.duration_minutes),
            occupied_start=start,
            occupied_end=start + timedelta(minutes=service.duration_minutes),
            status=status,
            price_base=Decimal(price),
            price_final=Decimal(price),
            currency="BRL",
        )

    book(ana, cut, at(0, 10), "completed", "50.00")
    book(ana, colour, at(0, 14), "completed", "120.00")
    book(ana, beard, at(1, 9), "no_show", "30.00")
    book(ana, cut, at(1, 10), "cancelled", "50.00")
    book(ana, colour, at(2, 9), "rejected", "120.00")
    book(ana, cut, at(3, 9), "confirmed", "50.00")
    book(ana, beard, at(4, 9), "pending", "30.00")
    book(ana, cut, at(4, 10), "confirmed", "45.50")
    book(bia, beard, at(0, 0), "completed", "30.00")
    book(bia, cut, at(2, 22, 30), "confirmed", "50.00")
    book(bia, colour, at(5, 9), "completed", "100.00")
    book(bia, beard, at(5, 11), "cancelled", "30.00")
    book(bia, beard, at(6, 23, 30), "confirmed", "30.00")
    # Outside the week, in the company's days.
    book(bia, beard, at(-1, 23), "completed", "30.00")
    book(ana, cut, at(7, 9), "confirmed", "50.00")
    # Another company's appointment in the same week.
    other_service = ServiceFactory(company=tenant_b.company, name="Cut")
    book(
        tenant_b.actor,
        other_service,
        at(0, 10),
        "completed",
        "999.00",
        company=tenant_b.company,
        customer=tenant_b.customer,
    )
    return tenant_a, ana, bia, {"cut": cut, "colour": colour, "beard": beard}


def test_statistics_figures_of_a_week(api, week):
    tenant, ana, bia, services = week

    with time_machine.travel("2030-03-12 12:00:00-03:00", tick=False):
        response = api.as_user(tenant.manager).get(
            f"/api/companies/{tenant.company.id}/statistics/", WEEK
        )

    assert response.status_code == 200
    assert response.json() == {
        "date_from": "2030-03-04",
        "date_to": "2030-03-10",
        "appointments": {
            "total": 13,
            "pending": 1,
            "confirmed": 4,
            "completed": 4,
            "cancelled": 2,
            "rejected": 1,
            "no_show": 1,
        },
        # Pending and confirmed: 50 + 45.50 + 50 + 30 + 30; completed:
        # 50 + 120 + 30 + 100.
        "revenue": {"expected": "205.50", "received": "300.00", "currency": "BRL"},
        # Pending, confirmed, completed and no-show minutes over the
        # bookable actors' working minutes: 540 / (2400 + 660).
        "occupancy_rate": 0.1765,
        "booked_minutes": 540,
        "working_minutes": 3060,
        "top_services": [
            {"service": {"id": services["beard"].id, "name": "Beard"}, "count": 4},
            {"service": {"id": services["cut"].id, "name": "Cut"}, "count": 4},
            {"service": {"id": services["colour"].id, "name": "Colour"}, "count": 2},
        ],
        "top_actors": [
            {"actor": {"id": ana.id, "name": "Ana"}, "count": 6, "revenue": "325.50"},
            {"actor": {"id": bia.id, "name": "Bia"}, "count": 4, "revenue": "210.00"},
        ],
    }


def test_statistics_of_one_day_at_the_edge_of_the_week(api, week):
    tenant, _ana, bia, services = week

    response = api.as_user(tenant.admin).get(
        f"/api/companies/{tenant.company.id}/statistics/",
        {"date_from": "2030-03-10", "date_to": "2030-03-10"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["appointments"] == {
        "total": 1,
        "pending": 0,
        "confirmed": 1,
        "completed": 0,
        "cancelled": 0,
        "rejected": 0,
        "no_show": 0,
    }
    assert body["revenue"] == {
        "expected": "30.00",
        "received": "0.00",
        "currency": "BRL",
    }
    # Bia's Sunday night until midnight; the 60 minutes past it are Monday's.
    assert (body["booked_minutes"], body["working_minutes"]) == (30, 120)
    assert body["occupancy_rate"] == 0.25
    assert body["top_services"] == [
        {"service": {"id": services["beard"].id, "name": "Beard"}, "count": 1}
    ]
    assert body["top_actors"] == [
        {"actor": {"id": bia.id, "name": "Bia"}, "count": 1, "revenue": "30.00"}
    ]


def test_statistics_name_services_in_the_requests_language(api, week):
    tenant, _ana, _bia, services = week
    services["cut"].name_pt_br, services["cut"].name_en = "Corte", "Cut"
    services["cut"].save()
    url = f"/api/companies/{tenant.company.id}/statistics/"

    names = {
        language: [
            row["service"]["name"]
            for row in api.as_user(tenant.admin)
            .get(url, WEEK, HTTP_ACCEPT_LANGUAGE=language)
            .json()["top_services"]
        ]
        for language in ("pt-br", "en")
    }

    # Four each for Beard and Cut: equal counts are in name order.
    assert names == {
        "pt-br": ["Beard", "Corte", "Colour"],
        "en": ["Beard", "Cut", "Colour"],
    }


def test_statistics_occupancy_counts_bookable_actors_inside_the_range(api, week):
    tenant, _ana, bia, services = week
    resting = tenant.company.actors.get(is_bookable=False)
    for actor, start in ((resting, at(0, 10)), (bia, at(6, 23))):
        Appointment.objects.create(
            company=tenant.company,
            actor=actor,
            service=services["colour"],
            customer=tenant.customer,
            start=start,
            end=start + timedelta(minutes=90),
            occupied_start=start,
            occupied_end=start + timedelta(minutes=90),
            # Done, not live: Bia's overlaps her 23:30 beard, which the
            # booking rules would refuse for two live appointments.
            status="completed",
            price_base=Decimal("120.00"),
            price_final=Decimal("120.00"),
            currency="BRL",
        )

    body = (
        api.as_user(tenant.admin)
        .get(f"/api/companies/{tenant.company.id}/statistics/", WEEK)
        .json()
    )

    # Both are counted and priced; only Bia's 23:00-00:30 on Sunday adds
    # occupied time, and only its hour before midnight.
    assert (body["appointments"]["total"], body["appointments"]["completed"]) == (
        15,
        6,
    )
    assert body["revenue"]["received"] == "540.00"
    assert (body["booked_minutes"], body["working_minutes"]) == (600, 3060)
    assert body["occupancy_rate"] == 0.1961
