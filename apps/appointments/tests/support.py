"""What the scheduling tests share: a shop, times, a snapshot of the rows.

Times in these tests are São Paulo wall-clock times (UTC-03:00 all year
since 2019) unless a test says otherwise. `NOW` is a Monday morning; the
`frozen` fixture (conftest.py) stops the clock there.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.accounts.models import User
from apps.appointments import services
from apps.appointments.models import Actor, ActorService, Appointment, Service
from apps.core.tests.factories import (
    ActorServiceFactory,
    ServiceFactory,
    full_week,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2027, 1, 4)
TUESDAY = date(2027, 1, 5)
NOW = datetime(2027, 1, 4, 8, 0, tzinfo=SAO_PAULO)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
APPOINTMENTS = "/api/appointments/"
AVAILABILITY = "/api/appointments/availability/"


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = SAO_PAULO) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def local(day: date, hour: int, minute: int = 0) -> str:
    """ISO text of a São Paulo wall-clock time, as the API renders it."""
    return at(day, hour, minute).isoformat()


@dataclass
class Shop:
    """A tenant whose actor offers `service` (60 min, 80.00) 09:00-18:00 daily."""

    tenant: object
    service: Service
    offer: ActorService

    @property
    def company(self):
        return self.tenant.company

    @property
    def actor(self) -> Actor:
        return self.tenant.actor

    def book(self, start: datetime, *, customer: User | None = None, by=None):
        """Book through the service layer, as the customer unless `by` is given."""
        customer = customer or self.tenant.customer
        return services.appointment_book(
            actor=self.actor,
            service=self.service,
            customer=customer,
            start=start,
            by=by or customer,
        )


def set_timezone(shop: Shop, name: str) -> None:
    """Move the shop's company to another zone (and forget cached copies)."""
    shop.company.timezone = name
    shop.company.save(update_fields=["timezone", "updated_at"])
    shop.actor.refresh_from_db()
    shop.service.refresh_from_db()


def make_shop(tenant, **service_fields) -> Shop:
    fields = {
        "company": tenant.company,
        "name": "Haircut",
        "duration_minutes": 60,
        "price": Decimal("80.00"),
    }
    fields.update(service_fields)
    service = ServiceFactory(**fields)
    offer = ActorServiceFactory(actor=tenant.actor, service=service)
    full_week(tenant.actor, time(9), time(18))
    return Shop(tenant=tenant, service=service, offer=offer)


def snapshot() -> dict:
    """Row counts of everything scheduling writes, to show nothing changed."""
    from apps.appointments.models import (
        AppointmentHistory,
        AppointmentSeries,
        TimeBlock,
        WorkingHours,
    )
    from apps.core.models import IdempotencyRecord

    return {
        "appointments": list(
            Appointment.objects.order_by("id").values_list(
                "id", "status", "start", "end"
            )
        ),
        "history": AppointmentHistory.objects.count(),
        "series": AppointmentSeries.objects.count(),
        "working_hours": list(
            WorkingHours.objects.order_by("id").values_list(
                "id", "weekday", "start_time", "end_time"
            )
        ),
        "time_blocks": list(
            TimeBlock.objects.order_by("id").values_list("id", "start", "end")
        ),
        "services": list(Service.objects.order_by("id").values_list("id", "name")),
        "offers": ActorService.objects.count(),
        "idempotency": IdempotencyRecord.objects.count(),
    }


def make_appointment(
    shop: Shop,
    start: datetime,
    status: str = "confirmed",
    *,
    customer: User | None = None,
    actor: Actor | None = None,
    service: Service | None = None,
    price: Decimal | None = None,
) -> Appointment:
    """An appointment written directly, for tests about reading or acting on
    one rather than booking it (no checks, no history)."""
    service = service or shop.service
    duration = timedelta(minutes=service.duration_minutes)
    price = service.price if price is None else price
    return Appointment.objects.create(
        company=shop.company,
        actor=actor or shop.actor,
        service=service,
        customer=customer or shop.tenant.customer,
        start=start,
        end=start + duration,
        occupied_start=start - timedelta(minutes=service.buffer_before_minutes),
        occupied_end=start + duration + timedelta(minutes=service.buffer_after_minutes),
        status=status,
        price_base=price,
        price_final=price,
        currency=shop.company.currency,
    )
