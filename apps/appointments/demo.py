"""The demo barbershop's schedule: services, hours, a holiday, appointments.

`seed_demo` calls `seed_schedule` with the demo company and its people. The
result is a small barbershop in São Paulo: six services, three barbers with
a lunch break on weekdays and Saturday mornings, a holiday next week and a
few dozen appointments from the last working days to two weeks ahead, in
every status.

Running it again changes nothing. Services, offers and hours are looked up
by their natural keys; the calendar (the holiday and the appointments) is
laid once, relative to the day of the first run, and left alone afterwards,
so that a later run on another day neither moves nor doubles it.

Every appointment's slot is checked with the booking check of the services
layer (`services.slot_check`, as a customer booking at the recorded booking
time), and its price is the offer's effective price, as a real booking
snapshots it. The rows are written here rather than through
`appointment_book` and the transition services because those announce each
change to notifications and WebSocket listeners: a seed must not send
dozens of messages about bookings and visits that happened only in the
demo's story. The history rows say what the services would have recorded.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.companies.models import Company, Membership, Role
from apps.notifications.services import reminders_sync

from . import services
from .models import (
    Actor,
    ActorService,
    Appointment,
    AppointmentHistory,
    AppointmentStatus,
    Service,
    TimeBlock,
    WorkingHours,
)

MONEY_PLACES = Decimal("0.01")
SUNDAY = 6
SATURDAY = 5
# The calendar: the last working days before today, the working days after
# it, and a weekday holiday at least this far ahead.
PAST_DAYS = 3
FUTURE_DAYS = 10
HOLIDAY_AFTER_DAYS = 7
HOLIDAY_REASON = "Feriado municipal"
SEARCH_STEP = timedelta(minutes=15)
# How long before the visit customers booked, and how old the requests
# still waiting for approval are.
BOOKING_LEAD = timedelta(days=2)
RECENT_REQUEST_AGE = timedelta(hours=2)


@dataclass(frozen=True)
class ServicePlan:
    key: str
    name_pt: str
    name_en: str
    description_pt: str
    description_en: str
    minutes: int
    price: str
    buffer_before: int = 0
    buffer_after: int = 0
    requires_approval: bool = False


SERVICES = (
    ServicePlan(
        "cut",
        "Corte de cabelo",
        "Haircut",
        "Corte na tesoura ou na máquina, com lavagem.",
        "Scissor or clipper cut, with a wash.",
        30,
        "50.00",
        buffer_after=10,
    ),
    ServicePlan(
        "beard",
        "Barba",
        "Beard trim",
        "Barba modelada com toalha quente.",
        "Shaped beard with a hot towel.",
        30,
        "35.00",
        buffer_after=5,
    ),
    ServicePlan(
        "cut_beard",
        "Corte e barba",
        "Haircut and beard",
        "Corte de cabelo e barba na mesma visita.",
        "Haircut and beard trim in one visit.",
        60,
        "80.00",
        buffer_after=10,
    ),
    ServicePlan(
        "colour",
        "Coloração",
        "Hair colouring",
        "Coloração ou luzes; o barbeiro confirma depois de avaliar o pedido.",
        "Colouring or highlights; the barber confirms after reviewing the request.",
        90,
        "150.00",
        buffer_before=15,
        buffer_after=15,
        requires_approval=True,
    ),
    ServicePlan(
        "brow",
        "Sobrancelha",
        "Eyebrow trim",
        "Acabamento de sobrancelha na navalha.",
        "Eyebrow tidy-up with a razor.",
        15,
        "20.00",
    ),
    ServicePlan(
        "kids",
        "Corte infantil",
        "Kids' haircut",
        "Corte para crianças até 12 anos.",
        "Haircut for children up to 12.",
        30,
        "40.00",
        buffer_after=10,
    ),
)

# What each barber offers; a price here is the barber's own (ActorService).
OFFERS = {
    "actor1": {
        "cut": Decimal("65.00"),
        "beard": None,
        "cut_beard": None,
        "colour": None,
    },
    "actor2": {
        "cut": None,
        "beard": None,
        "cut_beard": None,
        "brow": None,
        "kids": None,
    },
    "actor3": {
        "cut": None,
        "cut_beard": None,
        "colour": None,
        "brow": None,
        "kids": None,
    },
}
ACTOR_COLOURS = {"actor1": "#1d4ed8", "actor2": "#b45309", "actor3": "#047857"}
# Minutes after opening at which each barber's first customer is expected.
ACTOR_OFFSETS = {"actor1": 0, "actor2": 30, "actor3": 60}

WEEKDAY_HOURS = ((time(9), time(12)), (time(13), time(19)))
SATURDAY_HOURS = ((time(9), time(13)),)
# Preferred starts of a barber's first, second and third visit of a day,
# before the barber's offset.
WEEKDAY_STARTS = (time(9), time(14), time(16, 30))
SATURDAY_STARTS = (time(9), time(10, 30), time(11, 30))

# Customers without a login of their own, so the calendar has a clientele.
CLIENTELE = (
    ("joao.pereira", "João Pereira"),
    ("ana.ribeiro", "Ana Ribeiro"),
    ("pedro.alves", "Pedro Alves"),
    ("lucas.martins", "Lucas Martins"),
    ("beatriz.rocha", "Beatriz Rocha"),
)

COMPLETED = AppointmentStatus.COMPLETED
NO_SHOW = AppointmentStatus.NO_SHOW
CANCELLED = AppointmentStatus.CANCELLED
CONFIRMED = AppointmentStatus.CONFIRMED
PENDING = AppointmentStatus.PENDING
REJECTED = AppointmentStatus.REJECTED


@dataclass(frozen=True)
class Visit:
    """One appointment of a day's plan: service, final status, who booked."""

    service: str
    outcome: str
    by_phone: bool = False
    notes: str = ""


# A day's plan per barber. Past days end completed, no-show or cancelled;
# future days stay pending or confirmed, or were cancelled or rejected.
PAST_PLANS = (
    {
        "actor1": (Visit("cut", COMPLETED), Visit("cut_beard", COMPLETED)),
        "actor2": (Visit("beard", COMPLETED), Visit("kids", NO_SHOW, by_phone=True)),
        "actor3": (Visit("colour", COMPLETED, notes="Luzes discretas."),),
    },
    {
        "actor1": (Visit("beard", COMPLETED), Visit("cut", COMPLETED)),
        "actor2": (Visit("cut_beard", COMPLETED, by_phone=True),),
        "actor3": (Visit("cut", CANCELLED), Visit("brow", COMPLETED)),
    },
    {
        "actor1": (Visit("cut_beard", NO_SHOW),),
        "actor2": (Visit("cut", COMPLETED), Visit("brow", COMPLETED)),
        "actor3": (Visit("kids", COMPLETED), Visit("cut_beard", COMPLETED)),
    },
)
FUTURE_PLANS = (
    {
        "actor1": (
            Visit("cut", CONFIRMED, notes="Degradê baixo."),
            Visit("cut_beard", CONFIRMED),
        ),
        "actor2": (Visit("beard", CONFIRMED, by_phone=True),),
        "actor3": (Visit("colour", PENDING),),
    },
    {
        "actor1": (Visit("colour", PENDING),),
        "actor2": (Visit("cut", CONFIRMED), Visit("kids", CANCELLED)),
        "actor3": (Visit("cut_beard", CONFIRMED),),
    },
    {
        "actor1": (Visit("beard", CONFIRMED),),
        "actor2": (Visit("cut_beard", CONFIRMED), Visit("brow", CONFIRMED)),
        "actor3": (Visit("cut", CANCELLED), Visit("kids", CONFIRMED, by_phone=True)),
    },
    {
        "actor1": (Visit("colour", REJECTED), Visit("cut", CONFIRMED)),
        "actor2": (Visit("cut", CONFIRMED),),
        "actor3": (Visit("brow", CONFIRMED),),
    },
    {
        "actor1": (Visit("cut_beard", CONFIRMED),),
        "actor2": (Visit("beard", CONFIRMED),),
        "actor3": (Visit("colour", CONFIRMED),),
    },
)
NOTES_ON_CHANGE = {
    CANCELLED: "Imprevisto no trabalho; remarco depois.",
    REJECTED: "Sem horário para coloração neste dia; sugerimos outra data.",
}


def seed_schedule(company: Company, people: dict[str, User]) -> None:
    """Lay the demo schedule of `company`; safe to call again.

    `people` holds the demo users by role name (`admin`, `manager`,
    `actor1`..`actor3`, `customer`); each actor already has its profile.
    """
    with transaction.atomic():
        services_by_key = _seed_services(company)
        actors = {
            key: Actor.objects.select_related("company").get(
                company=company, user=people[key]
            )
            for key in OFFERS
        }
        for key, actor in actors.items():
            _seed_actor(actor, key, services_by_key)
        customers = [people["customer"], *_seed_clientele(company)]
        if not Appointment.objects.filter(company=company).exists():
            _seed_calendar(company, actors, services_by_key, customers, people)


def _seed_services(company: Company) -> dict[str, Service]:
    found = {}
    for plan in SERVICES:
        service, _created = Service.objects.get_or_create(
            company=company,
            name_pt_br=plan.name_pt,
            defaults={
                "name_en": plan.name_en,
                "description_pt_br": plan.description_pt,
                "description_en": plan.description_en,
                "duration_minutes": plan.minutes,
                "price": Decimal(plan.price),
                "buffer_before_minutes": plan.buffer_before,
                "buffer_after_minutes": plan.buffer_after,
                "requires_approval": plan.requires_approval,
            },
        )
        found[plan.key] = service
    return found


def _seed_actor(actor: Actor, key: str, services_by_key: dict[str, Service]) -> None:
    if actor.color != ACTOR_COLOURS[key] and actor.color == "#3b82f6":
        actor.color = ACTOR_COLOURS[key]
        actor.save(update_fields=["color", "updated_at"])
    for service_key, price in OFFERS[key].items():
        ActorService.objects.get_or_create(
            actor=actor,
            service=services_by_key[service_key],
            defaults={"company": actor.company, "price": price},
        )
    # An actor whose hours someone already set keeps them.
    if WorkingHours.objects.filter(actor=actor).exists():
        return
    WorkingHours.objects.bulk_create(
        WorkingHours(
            company=actor.company,
            actor=actor,
            weekday=weekday,
            start_time=start,
            end_time=end,
        )
        for weekday in range(7)
        for start, end in _hours_of(weekday)
    )


def _hours_of(weekday: int) -> tuple[tuple[time, time], ...]:
    if weekday == SUNDAY:
        return ()
    return SATURDAY_HOURS if weekday == SATURDAY else WEEKDAY_HOURS


def _seed_clientele(company: Company) -> list[User]:
    from apps.companies.management.commands.seed_demo import DEMO_EMAIL_DOMAIN

    clientele = []
    for local_part, name in CLIENTELE:
        email = f"{local_part}@{DEMO_EMAIL_DOMAIN}"
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            # No usable password: these customers only populate the calendar.
            user = User.objects.create_user(email=email, password=None, name=name)
        Membership.objects.get_or_create(
            user=user, company=company, defaults={"role": Role.CUSTOMER}
        )
        clientele.append(user)
    return clientele


def calendar_days(today: date) -> tuple[list[date], list[date], date]:
    """The past working days, the future working days and the holiday.

    Working days are Monday to Saturday; the holiday is the first weekday
    at least `HOLIDAY_AFTER_DAYS` ahead and has no appointments.
    """
    holiday = today + timedelta(days=HOLIDAY_AFTER_DAYS)
    while holiday.weekday() >= SATURDAY:
        holiday += timedelta(days=1)

    past: list[date] = []
    day = today
    while len(past) < PAST_DAYS:
        day -= timedelta(days=1)
        if day.weekday() != SUNDAY:
            past.append(day)
    past.reverse()

    future: list[date] = []
    day = today
    while len(future) < FUTURE_DAYS:
        day += timedelta(days=1)
        if day.weekday() != SUNDAY and day != holiday:
            future.append(day)
    return past, future, holiday


@dataclass
class _Booked:
    appointment: Appointment
    visit: Visit
    booked_at: datetime


def _seed_calendar(
    company: Company,
    actors: dict[str, Actor],
    services_by_key: dict[str, Service],
    customers: list[User],
    people: dict[str, User],
) -> None:
    tz = company.tzinfo
    now = timezone.now()
    today = timezone.localtime(now, tz).date()
    past, future, holiday = calendar_days(today)

    for actor in actors.values():
        TimeBlock.objects.create(
            company=company,
            actor=actor,
            start=datetime.combine(holiday, time.min, tzinfo=tz),
            end=datetime.combine(holiday + timedelta(days=1), time.min, tzinfo=tz),
            reason=HOLIDAY_REASON,
        )

    days = [(day, PAST_PLANS[index]) for index, day in enumerate(past)] + [
        (day, FUTURE_PLANS[index % len(FUTURE_PLANS)])
        for index, day in enumerate(future)
    ]
    # Every visit is booked live first, so that each booking check sees all
    # the earlier ones; the outcomes (completed, cancelled, ...) follow.
    booked: list[_Booked] = []
    for day, plan in days:
        for actor_key, visits in plan.items():
            for visit_index, visit in enumerate(visits):
                # In turn, so no customer has two visits on one day (a day
                # has fewer visits than there are customers).
                customer = customers[len(booked) % len(customers)]
                booked.append(
                    _book(
                        actor=actors[actor_key],
                        service=services_by_key[visit.service],
                        visit=visit,
                        day=day,
                        preferred=_preferred_start(
                            day, visit_index, ACTOR_OFFSETS[actor_key]
                        ),
                        customer=customer,
                        booked_by=people["manager"] if visit.by_phone else customer,
                        now=now,
                    )
                )
    for entry in booked:
        _conclude(entry, people=people, now=now)


def _preferred_start(day: date, visit_index: int, offset: int) -> time:
    starts = SATURDAY_STARTS if day.weekday() == SATURDAY else WEEKDAY_STARTS
    preferred = datetime.combine(day, starts[visit_index]) + timedelta(minutes=offset)
    return preferred.time()


def _book(
    *,
    actor: Actor,
    service: Service,
    visit: Visit,
    day: date,
    preferred: time,
    customer: User,
    booked_by: User,
    now: datetime,
) -> _Booked:
    """Write a live appointment at the first start from `preferred` (else
    from opening) that a customer booking `BOOKING_LEAD` earlier could
    take."""
    company = actor.company
    tz = company.tzinfo
    offer = services.offer_get(actor=actor, service=service)
    opening = min(start for start, _end in _hours_of(day.weekday()))
    closing = datetime.combine(
        day, max(end for _start, end in _hours_of(day.weekday()))
    )
    start = None
    for first in (preferred, opening):
        candidate = datetime.combine(day, first)
        while candidate < closing and start is None:
            moment = candidate.replace(tzinfo=tz)
            booked_at = min(now, moment - BOOKING_LEAD)
            if visit.outcome == PENDING:
                # A request older than the company's approval deadline would
                # be rejected by the next scan: these came in this morning.
                booked_at = now - RECENT_REQUEST_AGE
            reason = services.slot_check(
                company=company, offer=offer, start=moment, by=None, now=booked_at
            )
            if reason is None:
                start = moment
            candidate += SEARCH_STEP
        if start is not None:
            break
    if start is None:
        raise RuntimeError(f"The demo plan does not fit {actor} on {day}.")

    price = offer.effective_price.quantize(MONEY_PLACES)
    end = start + offer.effective_duration
    needs_approval = not services.is_staff(booked_by, company.id) and (
        company.requires_approval or service.requires_approval
    )
    appointment = Appointment.objects.create(
        company=company,
        actor=actor,
        service=service,
        customer=customer,
        start=start,
        end=end,
        occupied_start=start - offer.effective_buffer_before,
        occupied_end=end + offer.effective_buffer_after,
        status=PENDING if needs_approval else CONFIRMED,
        price_base=price,
        price_discounts=[],
        price_final=price,
        currency=company.currency,
        notes=visit.notes,
        created_by=booked_by,
    )
    return _Booked(appointment, visit, booked_at)


def _conclude(entry: _Booked, *, people: dict[str, User], now: datetime) -> None:
    """Move a booked appointment to its planned outcome, with its history,
    every change dated when it would have happened (never after now)."""
    appointment, visit = entry.appointment, entry.visit
    booked_at = entry.booked_at
    manager, actor_user = people["manager"], appointment.actor.user
    steps: list[tuple[datetime, User, str, str, str]] = [
        (booked_at, appointment.created_by, "", appointment.status, "")
    ]

    def step(at: datetime, by: User, to_status: str, note: str = "") -> None:
        at = max(min(at, now), steps[-1][0])
        steps.append((at, by, steps[-1][3], to_status, note))

    approve = appointment.status == PENDING and visit.outcome not in (
        PENDING,
        REJECTED,
        CANCELLED,
    )
    if approve:
        step(booked_at + timedelta(hours=2), manager, CONFIRMED)
    if visit.outcome == COMPLETED:
        step(appointment.end + timedelta(minutes=5), actor_user, COMPLETED)
    elif visit.outcome == NO_SHOW:
        step(appointment.start + timedelta(minutes=20), actor_user, NO_SHOW)
    elif visit.outcome == CANCELLED:
        step(
            appointment.start - timedelta(days=1),
            appointment.customer,
            CANCELLED,
            NOTES_ON_CHANGE[CANCELLED],
        )
    elif visit.outcome == REJECTED:
        step(
            booked_at + timedelta(hours=3), manager, REJECTED, NOTES_ON_CHANGE[REJECTED]
        )

    for index, (at, by, from_status, to_status, note) in enumerate(steps):
        row = AppointmentHistory.objects.create(
            appointment=appointment,
            by=by,
            from_status=from_status,
            to_status=to_status,
            to_start=appointment.start if index == 0 else None,
            note=note,
        )
        # `at` is set on insert; the demo's story dates it.
        AppointmentHistory.objects.filter(pk=row.pk).update(at=at)
    appointment.status = steps[-1][3]
    Appointment.objects.filter(pk=appointment.pk).update(
        status=appointment.status, created_at=booked_at, updated_at=steps[-1][0]
    )
    # Live appointments get their reminder rows, as a booking's notification
    # would have made them; nothing is sent now.
    reminders_sync(appointment=appointment, now=now)
