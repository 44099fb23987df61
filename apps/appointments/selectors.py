"""Reads for scheduling: an actor's working time and busy time, free slots.

Every read here takes a fixed number of queries whatever the range or the
number of appointments in it: one per kind of row, never one per day,
actor or appointment.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.companies.models import Company

from .availability import (
    Busy,
    BusyKind,
    Interval,
    SlotRules,
    WorkingRange,
    free_slots,
    working_intervals,
)
from .models import (
    LIVE_STATUSES,
    ActorService,
    Appointment,
    TimeBlock,
    WorkingHours,
)
from .recurrence import RecurrenceError, expand

# Busy time is fetched this far beyond the window asked for: an appointment
# starting near the window's edge occupies up to a day of duration plus its
# buffers on either side of it.
BUSY_PADDING = timedelta(days=2)


@dataclass
class ActorSchedule:
    """One actor's working stretches and busy time around a window."""

    working: list[Interval] = field(default_factory=list)
    busy: list[Busy] = field(default_factory=list)


def local_window(company: Company, date_from: date, date_to: date):
    """[start of date_from, start of the day after date_to) in the company zone."""
    tz = company.tzinfo
    return (
        datetime.combine(date_from, time.min, tzinfo=tz),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz),
    )


def _range_key(working_range: WorkingRange) -> tuple[int, time, time]:
    return working_range.weekday, working_range.start, working_range.end


def _block_occurrences(
    block_start: datetime,
    block_end: datetime,
    rrule: str,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
) -> Iterable[tuple[datetime, datetime]]:
    """Occurrences of a block (its first `block_start`..`block_end`, repeated
    by `rrule` when set) that may touch [start, end)."""
    if not rrule:
        yield block_start, block_end
        return
    length = block_end - block_start
    window_start = start - length
    try:
        starts = expand(
            rrule,
            dtstart=block_start.astimezone(tz),
            tz=tz,
            window_start=window_start,
            window_end=end,
            # A rule yields at most one occurrence a day; the default limit
            # (a series' 200) would drop every block from a longer window,
            # such as the one a long series is checked against.
            limit=(end - window_start).days + 2,
        )
    except RecurrenceError:
        # Rules are validated when saved; a rule that no longer parses
        # blocks nothing rather than breaking every availability read.
        return
    for occurrence in starts:
        yield occurrence, occurrence + length


def actor_schedules(
    *,
    company: Company,
    actor_ids: list[int],
    window_start: datetime,
    window_end: datetime,
    exclude_appointment_id: int | None = None,
) -> dict[int, ActorSchedule]:
    """Working and busy time of several actors around [window_start, window_end).

    Three queries: working hours, time blocks, live appointments.
    """
    tz = company.tzinfo
    schedules = {actor_id: ActorSchedule() for actor_id in actor_ids}
    if not actor_ids:
        return schedules
    padded_start = window_start - BUSY_PADDING
    padded_end = window_end + BUSY_PADDING

    # The querysets drop the models' default ordering: rows are sorted here.
    ranges: dict[int, list[WorkingRange]] = defaultdict(list)
    for actor_id, weekday, start_time, end_time in (
        WorkingHours.objects.filter(actor_id__in=actor_ids)
        .order_by()
        .values_list("actor_id", "weekday", "start_time", "end_time")
    ):
        ranges[actor_id].append(WorkingRange(weekday, start_time, end_time))
    first_day = timezone.localtime(padded_start, tz).date()
    last_day = timezone.localtime(padded_end, tz).date()
    # Staff of one company often share their hours (and their recurring
    # breaks, below): each distinct week is placed on the calendar once per
    # read, and the actors share the resulting list, which nobody mutates.
    placed: dict[tuple[WorkingRange, ...], list[Interval]] = {}
    for actor_id, actor_ranges in ranges.items():
        week = tuple(sorted(actor_ranges, key=_range_key))
        if week not in placed:
            placed[week] = working_intervals(week, first_day, last_day, tz)
        schedules[actor_id].working = placed[week]

    blocks = (
        TimeBlock.objects.filter(actor_id__in=actor_ids)
        .filter(
            Q(rrule="", start__lt=padded_end, end__gt=padded_start)
            | (
                ~Q(rrule="")
                & Q(start__lt=padded_end)
                & (Q(recurrence_end__isnull=True) | Q(recurrence_end__gt=padded_start))
            )
        )
        .order_by()
        .values_list("actor_id", "start", "end", "rrule")
    )
    expanded: dict[tuple[datetime, datetime, str], list[Busy]] = {}
    for actor_id, start, end, rrule in blocks:
        key = (start, end, rrule)
        if key not in expanded:
            expanded[key] = [
                Busy(occurrence_start, occurrence_end, BusyKind.BLOCK)
                for occurrence_start, occurrence_end in _block_occurrences(
                    start, end, rrule, tz, padded_start, padded_end
                )
            ]
        schedules[actor_id].busy += expanded[key]

    appointments = Appointment.objects.filter(
        actor_id__in=actor_ids,
        status__in=LIVE_STATUSES,
        occupied_start__lt=padded_end,
        occupied_end__gt=padded_start,
    )
    if exclude_appointment_id is not None:
        appointments = appointments.exclude(pk=exclude_appointment_id)
    appointment_kind = BusyKind.APPOINTMENT
    for actor_id, start, end in appointments.order_by().values_list(
        "actor_id", "occupied_start", "occupied_end"
    ):
        schedules[actor_id].busy.append(Busy(start, end, appointment_kind))

    for schedule in schedules.values():
        schedule.busy.sort(key=lambda busy: busy.start)
    return schedules


def slot_rules(company: Company, offer: ActorService) -> SlotRules:
    return SlotRules(
        duration=offer.effective_duration,
        buffer_before=offer.effective_buffer_before,
        buffer_after=offer.effective_buffer_after,
        interval=timedelta(minutes=company.slot_interval_minutes),
        min_notice=timedelta(minutes=company.min_notice_minutes),
        horizon=timedelta(days=company.booking_horizon_days),
    )


def offers_for_service(
    *, service_id: int, actor_id: int | None = None
) -> QuerySet[ActorService]:
    """Active offers of a service by bookable actors, with actor and service."""
    offers = ActorService.objects.filter(
        service_id=service_id,
        is_active=True,
        actor__is_bookable=True,
        service__is_active=True,
    ).select_related("actor", "service")
    if actor_id is not None:
        offers = offers.filter(actor_id=actor_id)
    return offers.order_by("actor__display_name", "actor_id")


def availability(
    *,
    company: Company,
    offers: list[ActorService],
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> list[tuple[ActorService, list[Interval]]]:
    """Free slots of each offer's actor between two local dates, inclusive."""
    now = now or timezone.now()
    window_start, window_end = local_window(company, date_from, date_to)
    schedules = actor_schedules(
        company=company,
        actor_ids=[offer.actor_id for offer in offers],
        window_start=window_start,
        window_end=window_end,
    )
    result = []
    for offer in offers:
        schedule = schedules[offer.actor_id]
        slots = free_slots(
            working=schedule.working,
            busy=schedule.busy,
            rules=slot_rules(company, offer),
            now=now,
            window_start=window_start,
            window_end=window_end,
            tz=company.tzinfo,
        )
        result.append((offer, slots))
    return result


def appointment_list(*, user) -> QuerySet[Appointment]:
    """Appointments the user may see, with everything the API renders joined.

    Admins and managers see their companies' appointments, actors their own,
    and everyone the appointments they booked as a customer.
    """
    from apps.accounts.permissions import MANAGING_ROLES, company_ids
    from apps.companies.models import Role

    queryset = Appointment.objects.select_related(
        "company", "actor", "service", "customer", "created_by"
    )
    if user.is_superuser:
        return queryset
    managed = company_ids(user, MANAGING_ROLES)
    acting = company_ids(user, [Role.ACTOR])
    return queryset.filter(
        Q(company_id__in=managed)
        | Q(company_id__in=acting, actor__user=user)
        | Q(customer=user)
    )
