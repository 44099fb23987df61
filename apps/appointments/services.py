"""Scheduling use cases: booking, the appointment lifecycle, hours and blocks.

Each function validates, changes the database in one transaction and sends
the scheduling signals (`events.py`) inside it; receivers defer anything
that leaves the process to `transaction.on_commit`.

Booking locks the actor's row first, so bookings of one actor run one after
the other and the service layer's check is exact. On PostgreSQL an exclusion
constraint on (actor, occupied range) of live appointments holds even if
some other writer skips that lock; its violation, and the deadlock or
serialization failure a losing racer can get instead, become 409
`slot_unavailable`.
"""

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import has_role, role_in
from apps.companies.models import MANAGING_ROLES, STAFF_ROLES, Company
from apps.core.errors import Forbidden, ValidationFailed

from . import selectors
from .availability import Reason, SlotRules, check_start
from .errors import (
    ActorNotBookable,
    CancellationWindowPassed,
    InvalidTransition,
    NotStarted,
    ServiceNotOffered,
    SlotUnavailable,
)
from .events import AppointmentEvent, appointment_changed, availability_changed
from .models import (
    Actor,
    ActorService,
    Appointment,
    AppointmentHistory,
    AppointmentSeries,
    AppointmentStatus,
    Service,
    TimeBlock,
    WorkingHours,
)

logger = logging.getLogger(__name__)

# SQLSTATEs a losing racer can get from PostgreSQL instead of our own check:
# exclusion violation, deadlock detected, serialization failure.
SLOT_RACE_SQLSTATES = frozenset({"23P01", "40P01", "40001"})
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MONEY_PLACES = Decimal("0.01")
# How far an unbounded recurring block is searched for a first occurrence.
UNBOUNDED_BLOCK_CHECK = timedelta(days=400)


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__ or exc
    return getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)


def is_staff(user, company_id: int) -> bool:
    return user is not None and has_role(user, company_id, STAFF_ROLES)


def _is_manager(user, company_id: int) -> bool:
    return user is not None and has_role(user, company_id, MANAGING_ROLES)


def _acts_for(user, actor: Actor) -> bool:
    """Admins and managers act for every actor; an actor for themself."""
    if user is None:
        return True
    return _is_manager(user, actor.company_id) or actor.user_id == user.id


def local_dates(company: Company, *moments: datetime) -> list[date]:
    tz = company.tzinfo
    return sorted({timezone.localtime(moment, tz).date() for moment in moments})


def offer_get(*, actor: Actor, service: Service) -> ActorService:
    """The active offer of `service` by `actor`, or 400 `service_not_offered`."""
    offer = (
        ActorService.objects.select_related("service")
        .filter(actor=actor, service=service, is_active=True, service__is_active=True)
        .first()
    )
    if not actor.is_bookable:
        raise ActorNotBookable(
            fields={"actor": [str(ActorNotBookable.default_message)]}
        )
    if offer is None:
        raise ServiceNotOffered(
            fields={"service": [str(ServiceNotOffered.default_message)]}
        )
    offer.actor = actor
    return offer


def rules_for(
    *, company: Company, offer: ActorService, by, latest: datetime, now: datetime
) -> SlotRules:
    """The offer's booking rules for this booker.

    Staff (admins, managers, actors) are held to working hours and overlaps
    but not to the minimum notice or the booking horizon, which protect the
    business from customers' last-minute or far-future requests.
    """
    rules = selectors.slot_rules(company, offer)
    if not is_staff(by, company.id):
        return rules
    return replace(
        rules,
        min_notice=timedelta(0),
        horizon=max(rules.horizon, latest - now),
    )


def slot_check(
    *,
    company: Company,
    offer: ActorService,
    start: datetime,
    by,
    now: datetime | None = None,
    exclude_appointment_id: int | None = None,
    keeping: Appointment | None = None,
) -> Reason | None:
    """Why `start` cannot be booked with this offer now, or None.

    With `keeping` (a reschedule), the appointment's own duration and
    buffers are checked, the ones it was booked with and keeps, whatever
    the offer says today.
    """
    now = now or timezone.now()
    rules = rules_for(company=company, offer=offer, by=by, latest=start, now=now)
    if keeping is not None:
        rules = replace(
            rules,
            duration=keeping.end - keeping.start,
            buffer_before=keeping.start - keeping.occupied_start,
            buffer_after=keeping.occupied_end - keeping.end,
        )
    schedule = selectors.actor_schedules(
        company=company,
        actor_ids=[offer.actor_id],
        window_start=start,
        window_end=start + rules.duration,
        exclude_appointment_id=exclude_appointment_id,
    )[offer.actor_id]
    return check_start(
        start=start, working=schedule.working, busy=schedule.busy, rules=rules, now=now
    )


def lock_actor(actor: Actor) -> None:
    # Serialises bookings of one actor (a no-op on SQLite, whose IMMEDIATE
    # transactions already serialise every write).
    Actor.objects.select_for_update().filter(pk=actor.pk).first()


def _initial_status(*, company: Company, service: Service, by) -> str:
    if is_staff(by, company.id):
        return AppointmentStatus.CONFIRMED
    if company.requires_approval or service.requires_approval:
        from apps.feature_flags.services import is_enabled

        if is_enabled("appointment_approval", company=company, user=by):
            return AppointmentStatus.PENDING
    return AppointmentStatus.CONFIRMED


def check_books_in(*, actor: Actor, by) -> None:
    """Admins and managers book in every actor's calendar, an actor only in
    their own; customers book with any bookable actor."""
    if is_staff(by, actor.company_id) and not _acts_for(by, actor):
        raise Forbidden(_("Actors book only in their own calendar."))


def check_customer(*, company: Company, customer, by) -> None:
    """A customer books for themself; staff book for a member of the company."""
    if customer is None:
        raise ValidationFailed(fields={"customer": [_("This field is required.")]})
    if by is not None and not is_staff(by, company.id) and customer.pk != by.pk:
        raise Forbidden(_("Customers can only book for themselves."))
    if role_in(customer, company.id) is None and not customer.is_superuser:
        from apps.companies.models import Membership

        if not Membership.objects.filter(
            user=customer, company=company, is_active=True
        ).exists():
            raise ValidationFailed(
                fields={
                    "customer": [_("The customer is not a member of this company.")]
                }
            )


def _record(
    appointment: Appointment,
    *,
    by,
    from_status: str,
    note: str = "",
    from_start: datetime | None = None,
    to_start: datetime | None = None,
) -> None:
    AppointmentHistory.objects.create(
        appointment=appointment,
        by=by,
        from_status=from_status,
        to_status=appointment.status,
        from_start=from_start,
        to_start=to_start,
        note=note,
    )


def _announce(
    appointment: Appointment,
    *,
    event: str,
    by,
    previous: dict,
    note: str = "",
    dates: Iterable[date] = (),
) -> None:
    appointment_changed.send(
        sender=Appointment,
        appointment=appointment,
        event=event,
        by=by,
        previous=previous,
        note=note,
    )
    availability_changed.send(
        sender=Appointment,
        company_id=appointment.company_id,
        actor_id=appointment.actor_id,
        dates=list(dates) or local_dates(appointment.company, appointment.start),
    )


def _save_new(appointment: Appointment, reason_if_taken: str) -> None:
    try:
        with transaction.atomic():
            appointment.save()
    except (IntegrityError, DatabaseError) as exc:
        if _sqlstate(exc) in SLOT_RACE_SQLSTATES:
            raise SlotUnavailable(reason_if_taken) from exc
        raise


def appointment_create(
    *,
    offer: ActorService,
    customer,
    start: datetime,
    by,
    notes: str = "",
    series: AppointmentSeries | None = None,
) -> Appointment:
    """Write an appointment whose slot the caller has checked under the
    actor's lock: price snapshot, history, signals."""
    actor, service = offer.actor, offer.service
    company = actor.company
    price = offer.effective_price.quantize(MONEY_PLACES)
    # Adding a timedelta to a datetime in a ZoneInfo zone moves its wall
    # clock, not time: across a DST change the end would be an hour off.
    start = start.astimezone(UTC)
    end = start + offer.effective_duration
    appointment = Appointment(
        company=company,
        actor=actor,
        service=service,
        customer=customer,
        start=start,
        end=end,
        occupied_start=start - offer.effective_buffer_before,
        occupied_end=end + offer.effective_buffer_after,
        status=_initial_status(company=company, service=service, by=by),
        price_base=price,
        price_discounts=[],
        price_final=price,
        currency=company.currency,
        notes=notes,
        series=series,
        created_by=by,
    )
    _save_new(appointment, Reason.OVERLAPS_APPOINTMENT)
    _record(appointment, by=by, from_status="", to_start=start)
    event = (
        AppointmentEvent.REQUESTED
        if appointment.status == AppointmentStatus.PENDING
        else AppointmentEvent.CREATED
    )
    _announce(appointment, event=event, by=by, previous={})
    return appointment


def appointment_book(
    *,
    actor: Actor,
    service: Service,
    customer,
    start: datetime,
    by,
    notes: str = "",
    series: AppointmentSeries | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book `service` with `actor` at `start` for `customer`.

    A customer's request waits for approval (`pending`) when the company or
    the service asks for it; staff bookings are confirmed. Raises
    `ServiceNotOffered`, `SlotUnavailable` (409, with the reason) or
    `Forbidden`. Takes the actor's row lock.
    """
    company = actor.company
    if service.company_id != company.id:
        raise ServiceNotOffered(
            fields={"service": [str(ServiceNotOffered.default_message)]}
        )
    check_books_in(actor=actor, by=by)
    check_customer(company=company, customer=customer, by=by)

    try:
        with transaction.atomic():
            lock_actor(actor)
            offer = offer_get(actor=actor, service=service)
            reason = slot_check(
                company=company, offer=offer, start=start, by=by, now=now
            )
            if reason is not None:
                raise SlotUnavailable(reason)

            appointment = appointment_create(
                offer=offer,
                customer=customer,
                start=start,
                by=by,
                notes=notes,
                series=series,
            )
    except DatabaseError as exc:
        if _sqlstate(exc) in SLOT_RACE_SQLSTATES:
            raise SlotUnavailable(Reason.OVERLAPS_APPOINTMENT) from exc
        raise
    logger.info(
        "appointment booked",
        extra={"appointment_id": appointment.id, "company_id": company.id},
    )
    return appointment


# action -> (statuses it starts from, status it leads to, event)
TRANSITIONS = {
    "confirm": (
        {AppointmentStatus.PENDING},
        AppointmentStatus.CONFIRMED,
        AppointmentEvent.CONFIRMED,
    ),
    "reject": (
        {AppointmentStatus.PENDING},
        AppointmentStatus.REJECTED,
        AppointmentEvent.REJECTED,
    ),
    "cancel": (
        {AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED},
        AppointmentStatus.CANCELLED,
        AppointmentEvent.CANCELLED,
    ),
    "complete": (
        {AppointmentStatus.CONFIRMED},
        AppointmentStatus.COMPLETED,
        AppointmentEvent.COMPLETED,
    ),
    "no_show": (
        {AppointmentStatus.CONFIRMED},
        AppointmentStatus.NO_SHOW,
        AppointmentEvent.NO_SHOW,
    ),
}


def _check_may_change(appointment: Appointment, *, by, action: str, now) -> None:
    """Staff who act for the actor may do anything; customers only cancel
    (or reschedule) their own, before the company's cancellation notice."""
    if by is None or _acts_for(by, appointment.actor):
        return
    if appointment.customer_id == by.id and action in ("cancel", "reschedule"):
        notice = timedelta(minutes=appointment.company.cancellation_notice_minutes)
        if now > appointment.start - notice:
            raise CancellationWindowPassed()
        return
    raise Forbidden()


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update()
        .select_related("company", "actor", "service", "customer")
        .get(pk=appointment.pk)
    )


def appointment_transition(
    *,
    appointment: Appointment,
    action: str,
    by,
    reason: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Move an appointment along its lifecycle (`TRANSITIONS`).

    Locks the appointment's row. Raises `InvalidTransition` (409) from a
    status that does not allow the action, `CancellationWindowPassed` (409)
    for a customer's late cancellation, `NotStarted` (409) for completing or
    marking a no-show before the start, `Forbidden` for the wrong role.
    `by=None` is the system (automatic rejection).
    """
    now = now or timezone.now()
    sources, target, event = TRANSITIONS[action]
    with transaction.atomic():
        appointment = _locked(appointment)
        _check_may_change(appointment, by=by, action=action, now=now)
        if appointment.status not in sources:
            raise InvalidTransition(appointment.status)
        if action in ("complete", "no_show") and appointment.start > now:
            raise NotStarted()

        previous = {"status": appointment.status, "start": appointment.start}
        appointment.status = target
        appointment.save(update_fields=["status", "updated_at"])
        _record(appointment, by=by, from_status=previous["status"], note=reason)
        _announce(appointment, event=event, by=by, previous=previous, note=reason)
    return appointment


def appointment_confirm(*, appointment, by, reason="", now=None) -> Appointment:
    return appointment_transition(
        appointment=appointment, action="confirm", by=by, reason=reason, now=now
    )


def appointment_reject(*, appointment, by, reason="", now=None) -> Appointment:
    return appointment_transition(
        appointment=appointment, action="reject", by=by, reason=reason, now=now
    )


def appointment_cancel(*, appointment, by, reason="", now=None) -> Appointment:
    return appointment_transition(
        appointment=appointment, action="cancel", by=by, reason=reason, now=now
    )


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    by,
    note: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Move a live appointment to `start`; the old slot frees in the same
    transaction. Same checks as booking; the price snapshot is kept.

    Locks the actor's row, then the appointment's.
    """
    now = now or timezone.now()
    # UTC, so the new end and occupied time are real durations (see
    # `appointment_create`).
    start = start.astimezone(UTC)
    try:
        with transaction.atomic():
            lock_actor(appointment.actor)
            appointment = _locked(appointment)
            _check_may_change(appointment, by=by, action="reschedule", now=now)
            if not appointment.is_live:
                raise InvalidTransition(appointment.status)

            offer = offer_get(actor=appointment.actor, service=appointment.service)
            reason = slot_check(
                company=appointment.company,
                offer=offer,
                start=start,
                by=by,
                now=now,
                exclude_appointment_id=appointment.pk,
                keeping=appointment,
            )
            if reason is not None:
                raise SlotUnavailable(reason)

            previous = {"status": appointment.status, "start": appointment.start}
            duration = appointment.end - appointment.start
            before = appointment.start - appointment.occupied_start
            after = appointment.occupied_end - appointment.end
            appointment.start = start
            appointment.end = start + duration
            appointment.occupied_start = start - before
            appointment.occupied_end = appointment.end + after
            try:
                with transaction.atomic():
                    appointment.save(
                        update_fields=[
                            "start",
                            "end",
                            "occupied_start",
                            "occupied_end",
                            "updated_at",
                        ]
                    )
            except (IntegrityError, DatabaseError) as exc:
                if _sqlstate(exc) in SLOT_RACE_SQLSTATES:
                    raise SlotUnavailable(Reason.OVERLAPS_APPOINTMENT) from exc
                raise
            _record(
                appointment,
                by=by,
                from_status=previous["status"],
                from_start=previous["start"],
                to_start=start,
                note=note,
            )
            _announce(
                appointment,
                event=AppointmentEvent.RESCHEDULED,
                by=by,
                previous=previous,
                note=note,
                dates=local_dates(appointment.company, previous["start"], start),
            )
    except DatabaseError as exc:
        if _sqlstate(exc) in SLOT_RACE_SQLSTATES:
            raise SlotUnavailable(Reason.OVERLAPS_APPOINTMENT) from exc
        raise
    return appointment


# Working hours and time blocks.


def _week_spans(weekday: int, start: time, end: time) -> tuple[int, int]:
    """A weekly range as minutes from Monday 00:00; the end may pass Sunday."""
    begin = weekday * MINUTES_PER_DAY + start.hour * 60 + start.minute
    finish = weekday * MINUTES_PER_DAY + end.hour * 60 + end.minute
    if end <= start:
        finish += MINUTES_PER_DAY
    return begin, finish


def ranges_overlap(a: tuple[int, time, time], b: tuple[int, time, time]) -> bool:
    """Whether two weekly ranges share time (touching is fine), across the
    midnight between Sunday and Monday too."""
    a_start, a_end = _week_spans(*a)
    b_start, b_end = _week_spans(*b)
    return any(
        a_start < b_end + shift and b_start + shift < a_end
        for shift in (-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK)
    )


def _validate_hours(
    *, actor: Actor, weekday: int, start_time: time, end_time: time, exclude_id=None
) -> None:
    # 00:00-00:00 is the whole day: an end of 00:00 is midnight at its end.
    if start_time == end_time and start_time != time(0):
        raise ValidationFailed(
            fields={"end_time": [_("The end time must differ from the start time.")]}
        )
    if start_time.second or end_time.second:
        raise ValidationFailed(
            fields={"start_time": [_("Times are whole minutes (HH:MM).")]}
        )
    others = WorkingHours.objects.filter(actor=actor)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    for other in others:
        if ranges_overlap(
            (weekday, start_time, end_time),
            (other.weekday, other.start_time, other.end_time),
        ):
            raise ValidationFailed(
                _("These hours overlap other working hours of the actor."),
                code="overlapping_hours",
                fields={
                    "start_time": [
                        _("Overlaps %(start)s-%(end)s on the same or the previous day.")
                        % {
                            "start": other.start_time.strftime("%H:%M"),
                            "end": other.end_time.strftime("%H:%M"),
                        }
                    ]
                },
            )


def _hours_changed(actor: Actor, weekdays: Iterable[int]) -> None:
    """Tell listeners the next four weeks of the affected weekdays changed."""
    today = timezone.localtime(timezone.now(), actor.company.tzinfo).date()
    wanted = set(weekdays)
    dates = [
        today + timedelta(days=offset)
        for offset in range(28)
        if (today + timedelta(days=offset)).weekday() in wanted
    ]
    availability_changed.send(
        sender=WorkingHours, company_id=actor.company_id, actor_id=actor.id, dates=dates
    )


def working_hours_create(
    *, actor: Actor, weekday: int, start_time: time, end_time: time, by
) -> WorkingHours:
    """Add a weekly range; ranges of one actor never overlap (400)."""
    if by is not None and not _acts_for(by, actor):
        raise Forbidden()
    with transaction.atomic():
        lock_actor(actor)
        _validate_hours(
            actor=actor, weekday=weekday, start_time=start_time, end_time=end_time
        )
        hours = WorkingHours.objects.create(
            company=actor.company,
            actor=actor,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
        )
        _hours_changed(actor, [weekday, (weekday + 1) % 7])
    return hours


def working_hours_update(*, hours: WorkingHours, data: dict, by) -> WorkingHours:
    if by is not None and not _acts_for(by, hours.actor):
        raise Forbidden()
    with transaction.atomic():
        lock_actor(hours.actor)
        old_weekday = hours.weekday
        for name in ("weekday", "start_time", "end_time"):
            if name in data:
                setattr(hours, name, data[name])
        _validate_hours(
            actor=hours.actor,
            weekday=hours.weekday,
            start_time=hours.start_time,
            end_time=hours.end_time,
            exclude_id=hours.pk,
        )
        hours.save()
        _hours_changed(
            hours.actor,
            [
                old_weekday,
                (old_weekday + 1) % 7,
                hours.weekday,
                (hours.weekday + 1) % 7,
            ],
        )
    return hours


def working_hours_delete(*, hours: WorkingHours, by) -> None:
    if by is not None and not _acts_for(by, hours.actor):
        raise Forbidden()
    with transaction.atomic():
        actor, weekday = hours.actor, hours.weekday
        hours.delete()
        _hours_changed(actor, [weekday, (weekday + 1) % 7])


def _block_fields(*, actor: Actor, start: datetime, end: datetime, recurrence) -> dict:
    """Validate a block's times and rule; returns rrule and recurrence_end."""
    from .recurrence import RecurrenceError, expand
    from .series import recurrence_failure, rule_text

    if end <= start:
        raise ValidationFailed(fields={"end": [_("The end must be after the start.")]})
    if end - start > timedelta(days=366):
        raise ValidationFailed(fields={"end": [_("A block may last at most a year.")]})
    # Only null means a one-off block; `{}` or `false` are malformed rules.
    if recurrence is None:
        return {"rrule": "", "recurrence_end": None}

    tz = actor.company.tzinfo
    local_start = timezone.localtime(start, tz)
    try:
        rrule_text = rule_text(recurrence, dtstart=local_start, allow_unbounded=True)
        recurrence_end = None
        if "COUNT=" in rrule_text or "UNTIL=" in rrule_text:
            starts = expand(rrule_text, dtstart=local_start, tz=tz)
            recurrence_end = starts[-1] + (end - start)
        else:
            # An unbounded rule that yields nothing in its first year and a
            # month never will: refuse it now rather than have every
            # availability read search for it. At most one occurrence a day,
            # so the limit is the window's days, not MAX_OCCURRENCES.
            if not expand(
                rrule_text,
                dtstart=local_start,
                tz=tz,
                window_start=start,
                window_end=start + UNBOUNDED_BLOCK_CHECK,
                limit=UNBOUNDED_BLOCK_CHECK.days + 1,
            ):
                raise RecurrenceError("recurrence_empty")
    except RecurrenceError as exc:
        raise recurrence_failure(exc) from None
    return {"rrule": rrule_text, "recurrence_end": recurrence_end}


def _block_dates(block: TimeBlock) -> list[date]:
    company = block.actor.company
    if block.rrule:
        return []
    days = []
    day = timezone.localtime(block.start, company.tzinfo).date()
    last = timezone.localtime(block.end, company.tzinfo).date()
    while day <= last and len(days) < 62:
        days.append(day)
        day += timedelta(days=1)
    return days


def _block_changed(block: TimeBlock, extra_dates: Iterable[date] = ()) -> None:
    dates = sorted(set(_block_dates(block)) | set(extra_dates))
    if block.rrule:
        today = timezone.localtime(timezone.now(), block.actor.company.tzinfo).date()
        dates = sorted(set(dates) | {today + timedelta(days=n) for n in range(28)})
    availability_changed.send(
        sender=TimeBlock,
        company_id=block.company_id,
        actor_id=block.actor_id,
        dates=dates,
    )


def time_block_create(
    *,
    actor: Actor,
    start: datetime,
    end: datetime,
    reason: str = "",
    recurrence=None,
    by,
) -> TimeBlock:
    """Block an actor's time, once or by a recurrence rule (expanded in the
    company's zone only inside the ranges later queries ask for)."""
    if by is not None and not _acts_for(by, actor):
        raise Forbidden()
    fields = _block_fields(actor=actor, start=start, end=end, recurrence=recurrence)
    with transaction.atomic():
        block = TimeBlock.objects.create(
            company=actor.company,
            actor=actor,
            start=start,
            end=end,
            reason=reason,
            **fields,
        )
        _block_changed(block)
    return block


def time_block_update(*, block: TimeBlock, data: dict, by) -> TimeBlock:
    if by is not None and not _acts_for(by, block.actor):
        raise Forbidden()
    old_dates = _block_dates(block)
    start = data.get("start", block.start)
    end = data.get("end", block.end)
    recurrence = data.get("recurrence", {"rrule": block.rrule} if block.rrule else None)
    fields = _block_fields(
        actor=block.actor, start=start, end=end, recurrence=recurrence
    )
    with transaction.atomic():
        block.start, block.end = start, end
        block.reason = data.get("reason", block.reason)
        block.rrule = fields["rrule"]
        block.recurrence_end = fields["recurrence_end"]
        block.save()
        _block_changed(block, old_dates)
    return block


def time_block_delete(*, block: TimeBlock, by) -> None:
    if by is not None and not _acts_for(by, block.actor):
        raise Forbidden()
    with transaction.atomic():
        dates = _block_dates(block)
        block_copy = TimeBlock(
            pk=block.pk,
            company_id=block.company_id,
            actor=block.actor,
            start=block.start,
            end=block.end,
            rrule=block.rrule,
        )
        block.delete()
        _block_changed(block_copy, dates)
