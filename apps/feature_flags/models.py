"""Waffle's flag, switch and sample, with company targeting and A/B exposures.

The fields are declared here again, with the same columns waffle expects,
so that their labels and help texts are this project's translatable strings.
"""

from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from waffle.models import (
    CACHE_EMPTY,
    AbstractBaseSample,
    AbstractBaseSwitch,
    AbstractUserFlag,
)
from waffle.utils import get_cache, get_setting, keyfmt

from .bucketing import is_in_variant

COMPANIES_CACHE_KEY = "flag:%s:companies"
MAX_PERCENT = Decimal("99.9")


class Variant(models.TextChoices):
    TREATMENT = "treatment", _("Treatment (flag on)")
    CONTROL = "control", _("Control (flag off)")


class Evaluation(NamedTuple):
    is_active: bool
    # Set only when the A/B percentage decided the answer.
    variant: str | None = None


class FlushNowMixin:
    """Empties waffle's cache of the row at once, not only on commit.

    Waffle empties it on commit, so the writer's own transaction, and every
    test (whose transaction never commits), would read the old row until
    then.
    """

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self.flush()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        self.flush()
        return result


class Flag(FlushNowMixin, AbstractUserFlag):
    """A feature flag, on for everyone, for chosen companies or users, or for
    a sticky percentage of users."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("The name the code checks, e.g. customer_self_booking."),
    )
    everyone = models.BooleanField(
        _("everyone"),
        null=True,
        blank=True,
        help_text=_(
            "Yes turns the flag on for everyone and No turns it off for "
            "everyone, whatever the settings below say. Leave it unknown to "
            "use them."
        ),
    )
    percent = models.DecimalField(
        _("percent"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_PERCENT)],
        help_text=_(
            "Share of signed-in users, from 0.0 to 99.9, who get the flag in "
            "an A/B rollout. Each user keeps the same answer on every device."
        ),
    )
    testing = models.BooleanField(
        _("testing"),
        default=False,
        help_text=_(
            "Let testers turn the flag on or off for their session with the "
            "dwft_<name> query parameter."
        ),
    )
    superusers = models.BooleanField(
        _("super admins"),
        default=True,
        help_text=_("Always on for super admins."),
    )
    staff = models.BooleanField(
        _("admin site users"),
        default=False,
        help_text=_("Always on for users who can sign in to the admin site."),
    )
    authenticated = models.BooleanField(
        _("signed-in users"),
        default=False,
        help_text=_("Always on for every signed-in user."),
    )
    languages = models.TextField(
        _("languages"),
        blank=True,
        default="",
        help_text=_(
            "On for requests in one of these languages (comma-separated "
            "codes, e.g. pt-br,en)."
        ),
    )
    rollout = models.BooleanField(
        _("rollout"),
        default=False,
        help_text=_(
            "For visitors who are not signed in: keep the cookie of those "
            "left out only for the browser session, so they are drawn again."
        ),
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("Why the flag is set the way it is, for the next person."),
    )
    created = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    modified = models.DateTimeField(_("modified at"), default=timezone.now)
    groups = models.ManyToManyField(
        Group,
        blank=True,
        related_name="feature_flags",
        verbose_name=_("groups"),
        help_text=_("On for members of these groups."),
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="feature_flags",
        verbose_name=_("users"),
        help_text=_("On for these users."),
    )
    companies = models.ManyToManyField(
        "companies.Company",
        blank=True,
        related_name="feature_flags",
        verbose_name=_("companies"),
        help_text=_("On for requests made for these companies."),
    )

    class Meta(AbstractUserFlag.Meta):
        verbose_name = _("feature flag")
        verbose_name_plural = _("feature flags")
        ordering = ["name"]

    def get_flush_keys(self, flush_keys: list[str] | None = None) -> list[str]:
        flush_keys = super().get_flush_keys(flush_keys)
        flush_keys.append(keyfmt(COMPANIES_CACHE_KEY, self.name))
        return flush_keys

    def company_ids(self) -> set[int]:
        """Ids of the targeted companies, cached with the flag's other sets."""
        cache = get_cache()
        cache_key = keyfmt(COMPANIES_CACHE_KEY, self.name)
        cached = cache.get(cache_key)
        if cached == CACHE_EMPTY:
            return set()
        if cached:
            return cached

        ids = set(self.companies.values_list("pk", flat=True))
        cache.add(cache_key, ids or CACHE_EMPTY)
        return ids

    def is_active(self, request, read_only: bool = False) -> bool:
        # Waffle's own helpers (flag_is_active, the template tag, the view
        # decorators) come through here; they get the project's evaluation,
        # with its company targeting, sticky buckets and registry defaults.
        from .services import is_enabled

        return is_enabled(self.name, request=request)

    def evaluate(self, *, user, company_id: int | None, request=None) -> Evaluation:
        """The flag's answer for one user (or None) and one company (or None).

        In order: `everyone`; a tester's session override; the request's
        language; super admins, admin site users, signed-in users, listed
        users and groups; listed companies; the A/B percentage, sticky per
        user id for a signed-in user and per browser cookie otherwise.
        """
        if self.everyone is not None:
            return Evaluation(self.everyone)

        if request is not None:
            forced = self._tester_override(request)
            if forced is not None:
                return Evaluation(forced)
            if self._is_active_for_language(request):
                return Evaluation(True)

        if user is not None and self.is_active_for_user(user):
            return Evaluation(True)

        if company_id is not None and company_id in self.company_ids():
            return Evaluation(True)

        if self.percent is not None and self.percent > 0:
            if user is not None and user.is_authenticated:
                if is_in_variant(self.name, user.pk, self.percent):
                    return Evaluation(True, Variant.TREATMENT)
                return Evaluation(False, Variant.CONTROL)
            if request is not None:
                return Evaluation(bool(self._is_active_for_percent(request, False)))

        return Evaluation(False)

    def _tester_override(self, request) -> bool | None:
        """`dwft_<name>=1|0` in the query, a `Dwft-<name>` header or the
        cookie the middleware then sets; only for flags in testing mode."""
        if not self.testing:
            return None
        name = get_setting("TEST_COOKIE") % self.name
        header = name.replace("_", "-")
        if name in request.GET:
            forced = request.GET[name] == "1"
        elif header in request.headers:
            forced = request.headers[header] == "1"
        elif name in request.COOKIES:
            return request.COOKIES[name] == "True"
        else:
            return None
        if not hasattr(request, "waffle_tests"):
            request.waffle_tests = {}
        request.waffle_tests[self.name] = forced
        return forced


class Switch(FlushNowMixin, AbstractBaseSwitch):
    """A global on/off switch, the same for every request."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("The name the code checks."),
    )
    active = models.BooleanField(_("active"), default=False)
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    modified = models.DateTimeField(_("modified at"), default=timezone.now)

    class Meta(AbstractBaseSwitch.Meta):
        verbose_name = _("switch")
        verbose_name_plural = _("switches")
        ordering = ["name"]


class Sample(FlushNowMixin, AbstractBaseSample):
    """True for a random share of the checks, unrelated to users."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("The name the code checks."),
    )
    percent = models.DecimalField(
        _("percent"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(100)],
        help_text=_("Share of checks, from 0.0 to 100.0, that answer yes."),
    )
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    modified = models.DateTimeField(_("modified at"), default=timezone.now)

    class Meta(AbstractBaseSample.Meta):
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["name"]


class Exposure(models.Model):
    """The first time a user met a flag decided by its A/B percentage."""

    flag = models.ForeignKey(
        Flag,
        on_delete=models.CASCADE,
        related_name="exposures",
        verbose_name=_("feature flag"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feature_flag_exposures",
        verbose_name=_("user"),
    )
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    variant = models.CharField(_("variant"), max_length=16, choices=Variant.choices)
    percent = models.DecimalField(
        _("percent at first exposure"), max_digits=3, decimal_places=1
    )
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)

    class Meta:
        verbose_name = _("A/B exposure")
        verbose_name_plural = _("A/B exposures")
        ordering = ["-first_seen", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["flag", "user"], name="feature_flags_exposure_unique"
            )
        ]
        indexes = [models.Index(fields=["flag", "variant"])]

    def __str__(self):
        return f"{self.flag.name} / {self.user_id}: {self.variant}"
