import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from apps.accounts.models import Language

DEFAULT_REMINDER_OFFSETS_MINUTES = [24 * 60, 2 * 60]


def default_reminder_offsets() -> list[int]:
    return list(DEFAULT_REMINDER_OFFSETS_MINUTES)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a valid IANA timezone name."),
            code="invalid_timezone",
            params={"value": value},
        )


def validate_reminder_offsets(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) and 0 < item <= 10080
        for item in value
    ):
        raise ValidationError(
            _("Give a list of minutes between 1 and 10080."),
            code="invalid_reminder_offsets",
        )


class Company(models.Model):
    """A tenant: a barbershop, salon, clinic or studio."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    timezone = models.CharField(
        _("timezone"),
        max_length=64,
        default="America/Sao_Paulo",
        validators=[validate_timezone],
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.PT_BR
    )
    currency = models.CharField(_("currency"), max_length=3, default="BRL")
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    requires_approval = models.BooleanField(_("requires approval"), default=False)
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"), default=60
    )
    booking_horizon_days = models.PositiveIntegerField(
        _("booking horizon (days)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    slot_interval_minutes = models.PositiveIntegerField(
        _("slot interval (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    cancellation_notice_minutes = models.PositiveIntegerField(
        _("cancellation notice (minutes)"), default=120
    )
    approval_deadline_minutes = models.PositiveIntegerField(
        _("approval deadline (minutes)"),
        default=24 * 60,
        help_text=_(
            "A pending request nobody answers within this time, or by its "
            "start, is rejected automatically."
        ),
    )
    reminder_offsets_minutes = models.JSONField(
        _("reminder offsets (minutes)"),
        default=default_reminder_offsets,
        validators=[validate_reminder_offsets],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    ACTOR = "actor", _("Actor")
    CUSTOMER = "customer", _("Customer")


STAFF_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.ACTOR})
MANAGING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


class Membership(models.Model):
    """A user's one role in one company."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("company"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["company_id", "role", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "company"], name="companies_membership_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.company} ({self.role})"

    def clean(self):
        if self.pk is None:
            return
        actor = getattr(self, "actor_profile", None)
        if actor is not None and (actor.company_id, actor.user_id) != (
            self.company_id,
            self.user_id,
        ):
            raise ValidationError(
                _(
                    "A membership with an actor profile cannot move to another "
                    "company or user."
                ),
                code="other_company",
            )
        stored = Membership.objects.filter(pk=self.pk).first()
        was_admin = stored is not None and stored.is_active_admin
        if was_admin and not self.is_active_admin and not self.has_other_admin():
            raise ValidationError(
                _(
                    "The company must keep at least one admin; make someone else "
                    "admin first."
                ),
                code="last_admin",
            )

    @property
    def is_active_admin(self) -> bool:
        return self.role == Role.ADMIN and self.is_active

    def has_other_admin(self) -> bool:
        """Whether the company has another active admin who can sign in."""
        return (
            Membership.objects.filter(
                company_id=self.company_id,
                role=Role.ADMIN,
                is_active=True,
                user__is_active=True,
            )
            .exclude(pk=self.pk)
            .exists()
        )
