from datetime import time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.companies.models import Company, Membership

OTHER_COMPANY = "other_company"


def _require_actor_of(company_id: int | None, actor_id: int | None) -> None:
    """Refuse a row whose company is not its actor's.

    An admin inline leaves `company` unset until its parent fills it in, so
    a row without one is checked later, by the inline's parent.
    """
    if company_id is None or actor_id is None:
        return
    if Actor.objects.filter(pk=actor_id).values_list(
        "company_id", flat=True
    ).first() != (company_id):
        raise ValidationError(
            _("The actor belongs to another company."), code=OTHER_COMPANY
        )


class Actor(models.Model):
    """The bookable profile of a staff member who performs services."""

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="actors",
        verbose_name=_("company"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="actor_profiles",
        verbose_name=_("user"),
    )
    membership = models.OneToOneField(
        Membership,
        on_delete=models.CASCADE,
        related_name="actor_profile",
        verbose_name=_("membership"),
    )
    display_name = models.CharField(_("display name"), max_length=150)
    is_bookable = models.BooleanField(_("bookable"), default=True)
    color = models.CharField(_("colour"), max_length=7, default="#3b82f6")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        ordering = ["company_id", "display_name"]

    def __str__(self):
        return self.display_name

    def clean(self):
        if self.membership_id is None:
            return
        membership = Membership.objects.filter(pk=self.membership_id).first()
        if membership is not None and (
            (membership.company_id, membership.user_id)
            != (self.company_id, self.user_id)
        ):
            raise ValidationError(
                _("The company and user must be those of the membership."),
                code=OTHER_COMPANY,
            )


class Service(models.Model):
    """Something a company sells by the appointment."""

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("company"),
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(5), MaxValueValidator(1440)],
    )
    price = models.DecimalField(
        _("price"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    buffer_before_minutes = models.PositiveIntegerField(
        _("buffer before (minutes)"), default=0, validators=[MaxValueValidator(480)]
    )
    buffer_after_minutes = models.PositiveIntegerField(
        _("buffer after (minutes)"), default=0, validators=[MaxValueValidator(480)]
    )
    requires_approval = models.BooleanField(_("requires approval"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["company_id", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.pk is None or self.company_id is None:
            return
        stored = Service.objects.filter(pk=self.pk).values_list("company_id", flat=True)
        moved = stored.first() not in (None, self.company_id)
        if moved and (
            self.offers.exists() or self.appointments.exists() or self.series.exists()
        ):
            raise ValidationError(
                {"company": _("A service in use cannot move to another company.")},
                code=OTHER_COMPANY,
            )


class ActorService(models.Model):
    """An actor offers a service, optionally with their own price and times."""

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="actor_services",
        verbose_name=_("company"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="offers", verbose_name=_("actor")
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("service"),
    )
    price = models.DecimalField(
        _("price"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(1440)],
    )
    buffer_before_minutes = models.PositiveIntegerField(
        _("buffer before (minutes)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(480)],
    )
    buffer_after_minutes = models.PositiveIntegerField(
        _("buffer after (minutes)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(480)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("actor service")
        verbose_name_plural = _("actor services")
        ordering = ["actor_id", "service_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "service"], name="appointments_actorservice_unique"
            )
        ]

    def __str__(self):
        return f"{self.actor} - {self.service}"

    def clean(self):
        _require_actor_of(self.company_id, self.actor_id)
        if self.service_id is None:
            return
        company_id = self.company_id
        if company_id is None and self.actor_id is not None:
            company_id = self.actor.company_id
        service_company_id = (
            Service.objects.filter(pk=self.service_id)
            .values_list("company_id", flat=True)
            .first()
        )
        if company_id is not None and service_company_id != company_id:
            raise ValidationError(
                _("The service belongs to another company."), code=OTHER_COMPANY
            )

    @property
    def effective_price(self) -> Decimal:
        return self.service.price if self.price is None else self.price

    @property
    def effective_duration(self) -> timedelta:
        minutes = self.duration_minutes or self.service.duration_minutes
        return timedelta(minutes=minutes)

    @property
    def effective_buffer_before(self) -> timedelta:
        minutes = self.buffer_before_minutes
        if minutes is None:
            minutes = self.service.buffer_before_minutes
        return timedelta(minutes=minutes)

    @property
    def effective_buffer_after(self) -> timedelta:
        minutes = self.buffer_after_minutes
        if minutes is None:
            minutes = self.service.buffer_after_minutes
        return timedelta(minutes=minutes)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """A weekly range of wall-clock time in the company's zone.

    `end_time` 00:00 is midnight at the end of the day; an `end_time` before
    `start_time` runs into the next day.
    """

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name=_("company"),
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name=_("actor"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["actor_id", "weekday", "start_time"]

    def __str__(self):
        weekday = self.get_weekday_display()
        return f"{self.actor} {weekday} {self.start_time}-{self.end_time}"

    def clean(self):
        _require_actor_of(self.company_id, self.actor_id)
        # 00:00-00:00 is the whole day: an end of 00:00 is midnight at its end.
        is_whole_day = self.start_time == time(0)
        if (
            self.start_time is not None
            and self.start_time == self.end_time
            and not is_whole_day
        ):
            raise ValidationError(
                {"end_time": _("The end time must differ from the start time.")},
                code="invalid",
            )


class TimeBlock(models.Model):
    """Time an actor is unavailable; with `rrule` it repeats.

    A recurring block's `start`/`end` are its first occurrence; occurrences
    are expanded in the company's zone only inside the range a query asks
    for. `recurrence_end` is the end of the last occurrence, or null for a
    rule without COUNT or UNTIL.
    """

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="time_blocks",
        verbose_name=_("company"),
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="time_blocks",
        verbose_name=_("actor"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    rrule = models.TextField(_("recurrence rule"), blank=True)
    recurrence_end = models.DateTimeField(_("recurrence end"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("time block")
        verbose_name_plural = _("time blocks")
        ordering = ["actor_id", "start"]
        indexes = [models.Index(fields=["actor", "start"])]

    def __str__(self):
        return f"{self.actor} {self.start:%Y-%m-%d %H:%M} {self.reason}"

    def clean(self):
        _require_actor_of(self.company_id, self.actor_id)
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError(
                {"end": _("The end must be after the start.")}, code="invalid"
            )

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)


class AppointmentSeries(models.Model):
    """A recurring appointment: the rule and the occurrences it made."""

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="series",
        verbose_name=_("company"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="series", verbose_name=_("actor")
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        related_name="series",
        verbose_name=_("service"),
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointment_series",
        verbose_name=_("customer"),
    )
    rrule = models.TextField(_("recurrence rule"))
    dtstart = models.DateTimeField(_("first start"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("appointment series")
        verbose_name_plural = _("appointment series")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.service} / {self.customer} ({self.rrule})"


class AppointmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")
    NO_SHOW = "no_show", _("No-show")


LIVE_STATUSES = (AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED)


class Appointment(models.Model):
    """A customer's booking of one service with one actor.

    `occupied_start`/`occupied_end` are the start and end widened by the
    buffers; on PostgreSQL an exclusion constraint keeps the occupied time
    of one actor's live appointments from overlapping.
    """

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="appointments",
        verbose_name=_("company"),
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("actor"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("service"),
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("customer"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    occupied_start = models.DateTimeField(_("occupied from"))
    occupied_end = models.DateTimeField(_("occupied until"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.PENDING,
    )
    price_base = models.DecimalField(_("base price"), max_digits=10, decimal_places=2)
    price_discounts = models.JSONField(_("discounts"), default=list, blank=True)
    price_final = models.DecimalField(_("final price"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="BRL")
    notes = models.TextField(_("notes"), blank=True)
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("series"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["actor", "occupied_start"]),
            models.Index(fields=["company", "start"]),
            models.Index(fields=["customer", "start"]),
            models.Index(fields=["status", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="appointments_appointment_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.service} {self.start:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class AppointmentHistory(models.Model):
    """One change of an appointment: who, when, from and to what."""

    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("appointment"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(
        _("from status"), max_length=16, choices=AppointmentStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=16, choices=AppointmentStatus.choices
    )
    from_start = models.DateTimeField(_("from start"), null=True, blank=True)
    to_start = models.DateTimeField(_("to start"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("appointment history")
        verbose_name_plural = _("appointment history")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.appointment_id}: {self.from_status} -> {self.to_status}"
