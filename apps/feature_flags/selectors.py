"""Reads for flags, switches, exposures and the company a request is for."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from apps.accounts.permissions import can_see_company, company_ids
from apps.companies.models import Company
from apps.core.errors import NotFound, ValidationFailed
from apps.core.parsing import is_id

from .models import Exposure, Flag, Switch, Variant


def _requested_company(request) -> str:
    if request is None:
        return ""
    params = getattr(request, "query_params", None) or request.GET
    return (params.get("company") or "").strip()


def company_id_in_scope(*, user, request=None) -> int | None:
    """The company a flag is evaluated for, never failing.

    The request's `?company=` when the user may see that company, else the
    user's only company; none for an anonymous user, for a company the user
    cannot see or for a user of several companies who names none.
    """
    if user is None or not user.is_authenticated:
        return None
    requested = _requested_company(request)
    if requested:
        if not is_id(requested):
            return None
        company_id = int(requested)
        return company_id if can_see_company(user, company_id) else None
    own = company_ids(user)
    return next(iter(own)) if len(own) == 1 else None


def company_in_scope(*, user, request) -> Company | None:
    """The company an endpoint answers for; like `company_id_in_scope`,
    except that a `?company=` the user cannot see answers 404."""
    if user is None or not user.is_authenticated:
        return None
    requested = _requested_company(request)
    if requested:
        if not is_id(requested):
            raise ValidationFailed(
                fields={"company": [_("A valid company id is required.")]}
            )
        company_id = int(requested)
        if not can_see_company(user, company_id):
            raise NotFound()
    else:
        company_id = company_id_in_scope(user=user, request=None)
        if company_id is None:
            return None
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise NotFound()
    return company


def flag_list() -> QuerySet[Flag]:
    """Every flag with its targets and its exposure counts per variant."""
    return (
        Flag.objects.prefetch_related("companies", "users", "groups")
        .annotate(
            treatment_count=Count(
                "exposures", filter=Q(exposures__variant=Variant.TREATMENT)
            ),
            control_count=Count(
                "exposures", filter=Q(exposures__variant=Variant.CONTROL)
            ),
        )
        # Meta.ordering does not apply to a grouped query.
        .order_by("name")
    )


def flag_get(name: str) -> Flag:
    flag = flag_list().filter(name=name).first()
    if flag is None:
        raise NotFound()
    return flag


def exposure_counts(flag: Flag) -> dict[str, int]:
    """Users exposed to each variant of the flag: {variant: count}."""
    counts = dict(
        Exposure.objects.filter(flag=flag)
        .values_list("variant")
        .annotate(count=Count("id"))
        .values_list("variant", "count")
    )
    return {variant: counts.get(variant, 0) for variant in Variant.values}


def switch_states() -> dict[str, bool]:
    """Every switch's state, from waffle's cache."""
    return {switch.name: switch.active for switch in Switch.get_all()}
