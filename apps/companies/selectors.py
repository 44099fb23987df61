"""Reads about a company: its figures over a date range."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import ValidationFailed
from apps.core.parsing import parse_day

from .models import Company

MAX_STATISTICS_RANGE_DAYS = 366
TOP_LIMIT = 5
# Statuses whose time the actor spent or held for the customer.
BOOKED_STATUSES = ("pending", "confirmed", "completed", "no_show")


def parse_date_range(
    company: Company, date_from: str | None, date_to: str | None
) -> tuple[date, date]:
    """The inclusive local date range asked for; the current month by default."""
    today = timezone.localtime(timezone.now(), company.tzinfo).date()
    start = parse_day(date_from, "date_from") or today.replace(day=1)
    end = parse_day(date_to, "date_to") or (
        (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    )
    if end < start:
        raise ValidationFailed(
            fields={"date_to": [_("The end date is before the start date.")]}
        )
    if (end - start).days >= MAX_STATISTICS_RANGE_DAYS:
        raise ValidationFailed(
            fields={"date_to": [_("The range may span at most 366 days.")]}
        )
    return start, end


def _money(value) -> str:
    return f"{(value or Decimal('0')).quantize(Decimal('0.01'))}"


def company_statistics(*, company: Company, date_from: date, date_to: date) -> dict:
    """Counts, revenue, occupancy and top services and actors in a date range.

    Expected revenue is what live appointments will bring; received is what
    completed ones brought. Occupancy is booked minutes over working minutes
    of every bookable actor in the range.
    """
    from apps.appointments.availability import WorkingRange, working_intervals
    from apps.appointments.models import Actor, Appointment, Service, WorkingHours

    tz = company.tzinfo
    window_start = datetime.combine(date_from, time.min, tzinfo=tz)
    window_end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
    appointments = Appointment.objects.filter(
        company=company, start__gte=window_start, start__lt=window_end
    )

    counts = appointments.aggregate(
        total=Count("id"),
        **{
            status: Count("id", filter=Q(status=status))
            for status in (
                "pending",
                "confirmed",
                "completed",
                "cancelled",
                "rejected",
                "no_show",
            )
        },
        expected=Sum("price_final", filter=Q(status__in=("pending", "confirmed"))),
        received=Sum("price_final", filter=Q(status="completed")),
    )
    expected = counts.pop("expected")
    received = counts.pop("received")

    booked = appointments.filter(status__in=BOOKED_STATUSES)
    # Occupancy compares like with like: the bookable actors' appointment
    # time inside the range (a night appointment past `date_to` counts up
    # to midnight) over the same actors' working time in it.
    booked_minutes = sum(
        (min(end, window_end) - start).total_seconds() / 60
        for start, end in booked.filter(actor__is_bookable=True).values_list(
            "start", "end"
        )
    )
    ranges_by_actor: dict[int, list[WorkingRange]] = {}
    for actor_id, weekday, start_time, end_time in WorkingHours.objects.filter(
        company=company, actor__is_bookable=True
    ).values_list("actor_id", "weekday", "start_time", "end_time"):
        ranges_by_actor.setdefault(actor_id, []).append(
            WorkingRange(weekday, start_time, end_time)
        )
    working_minutes = 0.0
    for ranges in ranges_by_actor.values():
        for stretch in working_intervals(ranges, date_from, date_to, tz):
            start = max(stretch.start, window_start)
            end = min(stretch.end, window_end)
            if end > start:
                working_minutes += (end - start).total_seconds() / 60
    occupancy = round(booked_minutes / working_minutes, 4) if working_minutes else 0.0

    service_counts = list(
        booked.values("service_id").annotate(count=Count("id")).order_by()
    )
    # Names in the request's language, as the services endpoint gives them.
    services = Service.objects.in_bulk([row["service_id"] for row in service_counts])
    top_services = [
        {
            "service": {
                "id": row["service_id"],
                "name": services[row["service_id"]].name,
            },
            "count": row["count"],
        }
        for row in sorted(
            service_counts,
            key=lambda row: (-row["count"], services[row["service_id"]].name),
        )[:TOP_LIMIT]
    ]
    actor_names = dict(
        Actor.objects.filter(company=company).values_list("id", "display_name")
    )
    top_actors = [
        {
            "actor": {"id": row["actor_id"], "name": actor_names.get(row["actor_id"])},
            "count": row["count"],
            "revenue": _money(row["revenue"]),
        }
        for row in booked.values("actor_id")
        .annotate(count=Count("id"), revenue=Sum("price_final"))
        .order_by("-count", "actor_id")[:TOP_LIMIT]
    ]
    return {
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "appointments": counts,
        "revenue": {
            "expected": _money(expected),
            "received": _money(received),
            "currency": company.currency,
        },
        "occupancy_rate": occupancy,
        "booked_minutes": round(booked_minutes),
        "working_minutes": round(working_minutes),
        "top_services": top_services,
        "top_actors": top_actors,
    }
