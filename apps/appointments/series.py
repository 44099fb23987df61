"""Recurring appointments: a series is booked whole, or nothing.

Occurrences are expanded in the company's zone (`recurrence.py`), checked
against one read of the actor's schedule and against each other, then
created in one transaction under the actor's row lock. With
`skip_conflicts` the free occurrences are created and the others reported.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import attrgetter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.core.errors import DomainError

from . import recurrence, selectors, services
from .availability import Busy, BusyKind, Interval, Reason, check_start
from .errors import SlotUnavailable
from .models import Appointment, AppointmentSeries, AppointmentStatus
from .recurrence import (
    INVALID_RECURRENCE,
    RecurrenceError,
    build_rrule_text,
    expand,
    parse_spec,
)


@dataclass
class SeriesResult:
    series: AppointmentSeries
    appointments: list[Appointment] = field(default_factory=list)
    skipped: list[tuple[datetime, str]] = field(default_factory=list)


# The recurrence module's fixed messages, marked here for translation.
RECURRENCE_MESSAGES = {
    recurrence.MESSAGE_INVALID: gettext_lazy("The recurrence rule is not valid."),
    recurrence.MESSAGE_COUNT_OR_UNTIL: gettext_lazy(
        "Give either a count or an end date for the recurrence, not both."
    ),
    recurrence.MESSAGE_UNBOUNDED: gettext_lazy(
        "The recurrence never ends: give a count or an end date."
    ),
    recurrence.MESSAGE_TOO_MANY: gettext_lazy(
        "The recurrence has too many occurrences (at most 200)."
    ),
    recurrence.MESSAGE_TOO_FAR: gettext_lazy(
        "The recurrence ends too far in the future (at most two years ahead)."
    ),
    recurrence.MESSAGE_EMPTY: gettext_lazy("The recurrence has no occurrences."),
}


def recurrence_failure(exc: RecurrenceError) -> DomainError:
    """A 400 with the recurrence error's code and a translated message."""
    message = str(
        RECURRENCE_MESSAGES.get(
            exc.message, RECURRENCE_MESSAGES[recurrence.MESSAGE_INVALID]
        )
    )
    return DomainError(message, code=exc.code, fields={"recurrence": [message]})


def rule_text(recurrence, *, dtstart: datetime, allow_unbounded: bool = False) -> str:
    """RRULE text from the API's `recurrence` object (structured or raw).

    With `allow_unbounded` (time blocks) a structured rule may omit both
    `count` and `until` and then repeats without end.
    """
    if not isinstance(recurrence, dict):
        raise RecurrenceError(INVALID_RECURRENCE)
    if (
        allow_unbounded
        and "rrule" not in recurrence
        and recurrence.get("count") is None
        and recurrence.get("until") is None
    ):
        spec = parse_spec({**recurrence, "count": 1})
        text = build_rrule_text(spec, dtstart=dtstart)
        return ";".join(
            part for part in text.split(";") if not part.startswith("COUNT=")
        )
    parsed = parse_spec(recurrence)
    if isinstance(parsed, str):
        return parsed
    return build_rrule_text(parsed, dtstart=dtstart)


class _OccurrenceChecker:
    """An actor's schedule in UTC, narrowed by bisection for each occurrence.

    `check_start` reads every interval it is given; a series spanning years
    would hand it thousands of working days and busy spans per occurrence,
    seconds of work under the actor's lock. Each occurrence needs only the
    working stretches it may lie in and the busy spans that may reach it.
    """

    def __init__(self, schedule: selectors.ActorSchedule) -> None:
        self.working = sorted(
            (
                Interval(item.start.astimezone(UTC), item.end.astimezone(UTC))
                for item in schedule.working
            ),
            key=attrgetter("start"),
        )
        self.working_starts = [item.start for item in self.working]
        self.busy: list[Busy] = []
        self.busy_starts: list[datetime] = []
        # Every busy span starts at most this long before an overlap with
        # it, so older ones need no look.
        self.longest = timedelta(0)
        for item in schedule.busy:
            self.add(item)

    def add(self, item: Busy) -> None:
        item = Busy(item.start.astimezone(UTC), item.end.astimezone(UTC), item.kind)
        index = bisect_right(self.busy_starts, item.start)
        self.busy_starts.insert(index, item.start)
        self.busy.insert(index, item)
        self.longest = max(self.longest, item.end - item.start)

    def check(self, start: datetime, *, rules, now: datetime) -> Reason | None:
        end = start + rules.duration
        # Stretches are sorted and, from `working_intervals`, disjoint: the
        # appointment can only lie in those from the last one starting at or
        # before its start to the last one starting at or before its end.
        first = max(bisect_right(self.working_starts, start) - 1, 0)
        last = bisect_right(self.working_starts, end)
        occupied_start = start - rules.buffer_before
        occupied_end = end + rules.buffer_after
        low = bisect_left(self.busy_starts, occupied_start - self.longest)
        high = bisect_left(self.busy_starts, occupied_end)
        return check_start(
            start=start,
            working=self.working[first:last],
            busy=self.busy[low:high],
            rules=rules,
            now=now,
        )


def series_book(
    *,
    actor,
    service,
    customer,
    start: datetime,
    recurrence: dict,
    skip_conflicts: bool,
    by,
    notes: str = "",
    now: datetime | None = None,
) -> SeriesResult:
    """Book every occurrence of a rule, or none.

    Raises a 400 for a malformed, too long or empty rule, and 409
    `slot_unavailable` listing each conflicting start and its reason unless
    `skip_conflicts` is set. Takes the actor's row lock.
    """
    from apps.feature_flags.services import require_feature

    company = actor.company
    require_feature("recurring_appointments", company=company, user=by)
    now = now or timezone.now()
    tz = company.tzinfo
    local_start = timezone.localtime(start, tz)
    try:
        text = rule_text(recurrence, dtstart=local_start)
        starts = expand(text, dtstart=local_start, tz=tz)
    except RecurrenceError as exc:
        raise recurrence_failure(exc) from None
    services.check_books_in(actor=actor, by=by)
    services.check_customer(company=company, customer=customer, by=by)

    with transaction.atomic():
        services.lock_actor(actor)
        offer = services.offer_get(actor=actor, service=service)
        rules = services.rules_for(
            company=company, offer=offer, by=by, latest=starts[-1], now=now
        )
        schedule = selectors.actor_schedules(
            company=company,
            actor_ids=[actor.id],
            window_start=starts[0],
            window_end=starts[-1] + rules.duration,
        )[actor.id]

        free, conflicts = [], []
        checker = _OccurrenceChecker(schedule)
        for occurrence in starts:
            # In UTC: arithmetic on a datetime in a ZoneInfo zone moves its
            # wall clock, an hour off across a DST change.
            occurrence = occurrence.astimezone(UTC)
            reason = checker.check(occurrence, rules=rules, now=now)
            if reason is not None:
                conflicts.append((occurrence, str(reason)))
                continue
            free.append(occurrence)
            checker.add(
                Busy(
                    occurrence - rules.buffer_before,
                    occurrence + rules.duration + rules.buffer_after,
                    BusyKind.APPOINTMENT,
                )
            )
        if conflicts and (not skip_conflicts or not free):
            raise SlotUnavailable(
                conflicts[0][1],
                extra={
                    "conflicts": [
                        {
                            "start": timezone.localtime(moment, tz).isoformat(),
                            "reason": why,
                        }
                        for moment, why in conflicts
                    ]
                },
            )

        series = AppointmentSeries.objects.create(
            company=company,
            actor=actor,
            service=service,
            customer=customer,
            rrule=text,
            dtstart=starts[0],
            created_by=by,
        )
        result = SeriesResult(series=series, skipped=conflicts)
        for occurrence in free:
            result.appointments.append(
                services.appointment_create(
                    offer=offer,
                    customer=customer,
                    start=occurrence,
                    by=by,
                    notes=notes,
                    series=series,
                )
            )
    return result


def series_cancel(
    *,
    series: AppointmentSeries,
    by,
    start_from: datetime | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> list[Appointment]:
    """Cancel the live occurrences of a series, all or from `start_from` on.

    A customer's occurrences already inside the cancellation notice stay as
    they are; the answer lists what was cancelled.
    """
    now = now or timezone.now()
    occurrences = series.appointments.filter(
        status__in=(AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED)
    ).order_by("start")
    if start_from is not None:
        occurrences = occurrences.filter(start__gte=start_from)

    cancelled = []
    with transaction.atomic():
        for appointment in occurrences:
            try:
                cancelled.append(
                    services.appointment_cancel(
                        appointment=appointment, by=by, reason=reason, now=now
                    )
                )
            except services.CancellationWindowPassed:
                continue
    return cancelled


def series_representation(series: AppointmentSeries) -> dict:
    tz = series.company.tzinfo
    occurrences = series.appointments.order_by("start", "id").values(
        "id", "start", "end", "status"
    )
    return {
        "id": series.id,
        "company": series.company_id,
        "actor": series.actor_id,
        "service": series.service_id,
        "customer": series.customer_id,
        "rrule": series.rrule,
        "dtstart": timezone.localtime(series.dtstart, tz).isoformat(),
        "occurrences": [
            {
                "id": row["id"],
                "start": timezone.localtime(row["start"], tz).isoformat(),
                "end": timezone.localtime(row["end"], tz).isoformat(),
                "status": row["status"],
            }
            for row in occurrences
        ],
    }


__all__ = ["Reason", "SeriesResult", "series_book", "series_cancel"]
