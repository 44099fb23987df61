"""`selectors.actor_schedules` and `availability` over several actors.

Actors with the same week of hours, or the same recurring break, share
one computation per read; each must still get exactly its own time.
"""

from datetime import time, timedelta

from apps.appointments import selectors
from apps.appointments.availability import BusyKind, Interval
from apps.companies.models import Role
from apps.core.tests.factories import (
    ActorServiceFactory,
    TimeBlockFactory,
    WorkingHoursFactory,
    actor_of,
    full_week,
    member,
)

from .support import TUESDAY, at


def barber(shop, email: str):
    actor = actor_of(member(shop.company, Role.ACTOR, email=email), shop.company)
    ActorServiceFactory(actor=actor, service=shop.service)
    return actor


def lunch(actor, rrule: str = "FREQ=DAILY"):
    return TimeBlockFactory(
        actor=actor,
        start=at(TUESDAY, 12),
        end=at(TUESDAY, 13),
        rrule=rrule,
        reason="Lunch",
    )


def test_actors_sharing_hours_and_breaks_get_their_own_schedules(shop_a, frozen):
    twin = barber(shop_a, "twin@alpha.example.com")
    full_week(twin)  # 09:00-18:00 every day, like the shop's actor
    night = barber(shop_a, "night@alpha.example.com")
    WorkingHoursFactory(
        actor=night, weekday=TUESDAY.weekday(), start_time=time(20), end_time=time(2)
    )
    lunch(shop_a.actor)
    lunch(twin)
    lunch(night, rrule="FREQ=DAILY;INTERVAL=2")
    shop_a.book(at(TUESDAY, 10))

    schedules = selectors.actor_schedules(
        company=shop_a.company,
        actor_ids=[shop_a.actor.id, twin.id, night.id],
        window_start=at(TUESDAY, 0),
        window_end=at(TUESDAY + timedelta(days=1), 0),
    )

    mine, theirs = schedules[shop_a.actor.id], schedules[twin.id]
    assert mine.working == theirs.working
    # From the Saturday before the padded window (a Sunday) to its Friday.
    assert [interval.start for interval in mine.working] == [
        at(TUESDAY + timedelta(days=n), 9) for n in range(-3, 4)
    ]
    assert mine.working[3] == Interval(at(TUESDAY, 9), at(TUESDAY, 18))
    assert schedules[night.id].working == [
        Interval(at(TUESDAY, 20), at(TUESDAY + timedelta(days=1), 2))
    ]
    # Busy time is padded by two days on each side of the window.
    lunches = [
        (busy.start, busy.end) for busy in theirs.busy if busy.kind == BusyKind.BLOCK
    ]
    assert lunches == [
        (at(TUESDAY + timedelta(days=n), 12), at(TUESDAY + timedelta(days=n), 13))
        for n in range(3)
    ]
    assert [
        (busy.start, busy.kind) for busy in mine.busy if busy.start.date() == TUESDAY
    ] == [
        (at(TUESDAY, 10), BusyKind.APPOINTMENT),
        (at(TUESDAY, 12), BusyKind.BLOCK),
    ]
    assert [busy.start for busy in schedules[night.id].busy] == [
        at(TUESDAY, 12),
        at(TUESDAY + timedelta(days=2), 12),
    ]


def test_availability_of_actors_sharing_a_week_differs_by_their_bookings(
    shop_a, frozen
):
    twin = barber(shop_a, "twin@alpha.example.com")
    full_week(twin)
    lunch(shop_a.actor)
    lunch(twin)
    shop_a.company.slot_interval_minutes = 60
    shop_a.company.save()
    shop_a.book(at(TUESDAY, 10))
    offers = list(selectors.offers_for_service(service_id=shop_a.service.id))

    results = selectors.availability(
        company=shop_a.company, offers=offers, date_from=TUESDAY, date_to=TUESDAY
    )

    hours = {
        offer.actor_id: [slot.start.hour for slot in slots] for offer, slots in results
    }
    assert hours == {
        shop_a.actor.id: [9, 11, 13, 14, 15, 16, 17],
        twin.id: [9, 10, 11, 13, 14, 15, 16, 17],
    }
