"""Reads behind the dashboard pages."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.permissions import memberships
from apps.appointments.models import Actor, Appointment, WorkingHours
from apps.companies.models import STAFF_ROLES, Company, Membership, Role

MINUTES_PER_DAY = 24 * 60
# The span a day's timeline shows when none of its actors works that day.
DEFAULT_DAY_START = 8 * 60
DEFAULT_DAY_END = 20 * 60
PAST_APPOINTMENTS_SHOWN = 50


@dataclass(frozen=True)
class DayWindow:
    """One day of the timeline: the date and the minutes of the day it shows."""

    day: date
    start_minute: int
    end_minute: int


def staff_memberships(user) -> list[Membership]:
    """The user's active staff memberships, by company name."""
    found = [m for m in memberships(user) if m.role in STAFF_ROLES]
    return sorted(found, key=lambda m: (m.company.name.lower(), m.company_id))


def dashboard_actors(*, membership: Membership) -> list[Actor]:
    """The actors whose day the member sees: all of the company's for admins
    and managers, only their own for an actor (as the API scopes them)."""
    queryset = Actor.objects.filter(
        company_id=membership.company_id, membership__is_active=True
    )
    if membership.role == Role.ACTOR:
        queryset = queryset.filter(user_id=membership.user_id)
    return list(queryset.order_by("display_name", "id"))


def company_today(company: Company) -> date:
    return timezone.localtime(timezone.now(), company.tzinfo).date()


def day_windows(*, actors: Iterable[Actor], days: Iterable[date]) -> list[DayWindow]:
    """Each day's span, whole hours around the working hours of `actors`.

    A range that runs past midnight (or ends at 00:00) fills its day to the
    end, and the next day from its start.
    """
    hours = list(
        WorkingHours.objects.filter(actor__in=list(actors)).values_list(
            "weekday", "start_time", "end_time"
        )
    )
    windows = []
    for day in days:
        starts, ends = [], []
        for weekday, start, end in hours:
            begin = start.hour * 60 + start.minute
            finish = end.hour * 60 + end.minute
            overnight = finish <= begin
            if weekday == day.weekday():
                starts.append(begin)
                ends.append(MINUTES_PER_DAY if overnight else finish)
            elif overnight and (weekday + 1) % 7 == day.weekday() and finish > 0:
                starts.append(0)
                ends.append(finish)
        if not starts:
            windows.append(DayWindow(day, DEFAULT_DAY_START, DEFAULT_DAY_END))
            continue
        first = min(starts) // 60 * 60
        last = min(MINUTES_PER_DAY, -(-max(ends) // 60) * 60)
        windows.append(DayWindow(day, first, last))
    return windows


def customer_appointments(*, user, now: datetime) -> tuple[list, list]:
    """The user's own appointments as a customer: upcoming ones by start,
    then the latest past ones, most recent first."""
    queryset: QuerySet[Appointment] = Appointment.objects.filter(
        customer=user
    ).select_related("company", "actor", "service")
    upcoming = list(queryset.filter(end__gte=now).order_by("start", "id"))
    past = list(
        queryset.filter(end__lt=now).order_by("-start", "-id")[:PAST_APPOINTMENTS_SHOWN]
    )
    return upcoming, past


def next_days(today: date, count: int) -> list[date]:
    return [today + timedelta(days=offset) for offset in range(count)]
