"""Flag evaluation, the feature guard, A/B exposures and flag writes.

Other apps call `is_enabled` or `require_feature` where their feature acts:

    require_feature(COUPONS, company=appointment.company, user=request.user)

Evaluation order: the `FEATURE_FLAG_<NAME>=on|off` environment variable of
the deployment; else the flag's row (see `Flag.evaluate`); else, with no
row, the registry default for `settings.ENVIRONMENT`.

Rows come from waffle's cache (the Django cache: per process with locmem,
shared with Redis), emptied whenever a flag is saved; within one request
each row and each answer is also kept on the request object.
"""

import logging
import os
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from apps.companies.models import Company

from . import selectors
from .errors import FeatureDisabled
from .models import Exposure, Flag, Switch
from .registry import REGISTRY, definition_get

logger = logging.getLogger(__name__)

ENV_PREFIX = "FEATURE_FLAG_"
ENV_ON = frozenset({"on", "true", "1", "yes"})
ENV_OFF = frozenset({"off", "false", "0", "no"})
REQUEST_MEMO_ATTR = "_feature_flag_memo"
EXPOSURE_MARKER_KEY = "feature_flags:exposed:%s:%s"
# A user's exposure never changes once written; the marker only spares the
# database a lookup, so it can expire without harm.
EXPOSURE_MARKER_TTL_SECONDS = 24 * 60 * 60


def env_override(name: str) -> bool | None:
    """The deployment's `FEATURE_FLAG_<NAME>` value, or None when unset."""
    value = os.environ.get(ENV_PREFIX + name.upper())
    if value is None:
        return None
    value = value.strip().lower()
    if value in ENV_ON:
        return True
    if value in ENV_OFF:
        return False
    logger.warning("Ignoring %s%s=%r: use on or off.", ENV_PREFIX, name.upper(), value)
    return None


def _http_request(request):
    # DRF's Request wraps Django's; waffle's middleware reads the cookies to
    # set from Django's, and the memo must outlive DRF's wrapper.
    return getattr(request, "_request", request)


def _memo(request) -> dict:
    if request is None:
        return {}
    http_request = _http_request(request)
    memo = getattr(http_request, REQUEST_MEMO_ATTR, None)
    if memo is None:
        memo = {}
        setattr(http_request, REQUEST_MEMO_ATTR, memo)
    return memo


def _request_user(request):
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and user.is_authenticated:
        return user
    return None


def _flag_row(name: str, memo: dict) -> Flag | None:
    key = ("row", name)
    if key not in memo:
        row = Flag.get(name)
        memo[key] = row if row.pk else None
    return memo[key]


def is_enabled(
    name: str,
    *,
    company: Company | int | None = None,
    user=None,
    request=None,
) -> bool:
    """Whether the feature `name` is on for this user, company and request.

    `company` (an instance or an id) names the company the feature acts
    for; without it the company is the request's `?company=` (when the user
    may see it), else the user's only membership, else none. `user`
    defaults to the request's signed-in user. A flag decided by its A/B
    percentage records the user's first exposure.
    """
    override = env_override(name)
    if override is not None:
        return override

    if user is None:
        user = _request_user(request)
    if isinstance(company, Company):
        company_id = company.pk
    elif company is not None:
        company_id = int(company)
    else:
        company_id = selectors.company_id_in_scope(user=user, request=request)

    memo = _memo(request)
    answer_key = ("answer", name, company_id, getattr(user, "pk", None))
    if answer_key in memo:
        return memo[answer_key]

    row = _flag_row(name, memo)
    if row is None:
        definition = definition_get(name)
        answer = bool(definition and definition.default_for(settings.ENVIRONMENT))
    else:
        http_request = _http_request(request) if request is not None else None
        evaluation = row.evaluate(
            user=user, company_id=company_id, request=http_request
        )
        answer = evaluation.is_active
        if evaluation.variant is not None:
            exposure_record(
                flag=row, user=user, company_id=company_id, variant=evaluation.variant
            )

    memo[answer_key] = answer
    return answer


def require_feature(
    name: str,
    *,
    company: Company | int | None = None,
    user=None,
    request=None,
) -> None:
    """Raise 403 `feature_disabled` unless `is_enabled` says the feature is on."""
    if not is_enabled(name, company=company, user=user, request=request):
        raise FeatureDisabled(name)


def flags_evaluate(*, request, company: Company | None = None) -> dict[str, bool]:
    """Every known flag (the registry's and any other row) for this request.

    `company` defaults to the request's, as in `is_enabled`.
    """
    memo = _memo(request)
    rows = {row.name: row for row in Flag.get_all()}
    for name, row in rows.items():
        memo[("row", name)] = row
    for name in REGISTRY.keys() - rows.keys():
        memo[("row", name)] = None
    return {
        name: is_enabled(name, company=company, request=request)
        for name in sorted(REGISTRY.keys() | rows.keys())
    }


def exposure_record(*, flag: Flag, user, company_id: int | None, variant: str) -> bool:
    """Record the user's first exposure to the flag's A/B split; True if new.

    The unique (flag, user) constraint makes this safe against concurrent
    first requests: `get_or_create` re-reads the row the winner inserted.
    Later calls are answered from a cache marker, written only once the
    row is committed so that a rolled-back request records it again.
    """
    marker = EXPOSURE_MARKER_KEY % (flag.pk, user.pk)
    if cache.get(marker):
        return False

    _exposure, created = Exposure.objects.get_or_create(
        flag_id=flag.pk,
        user_id=user.pk,
        defaults={
            "variant": variant,
            "company_id": company_id,
            "percent": flag.percent,
        },
    )

    transaction.on_commit(
        lambda: cache.set(marker, True, timeout=EXPOSURE_MARKER_TTL_SECONDS)
    )
    return created


def _set_relations(flag: Flag, relations: dict[str, Iterable[Any] | None]) -> None:
    for field, values in relations.items():
        if values is not None:
            getattr(flag, field).set(values)


RELATION_FIELDS = ("companies", "users", "groups")


@transaction.atomic
def flag_create(*, data: dict[str, Any], by) -> Flag:
    """Create a flag from validated fields (relations as instances or ids)."""
    data = dict(data)
    relations = {field: data.pop(field, None) for field in RELATION_FIELDS}
    flag = Flag(**data)
    flag.save()
    _set_relations(flag, relations)
    flag.flush()

    logger.info("Feature flag created", extra={"flag": flag.name, "by": by.pk})
    return flag


@transaction.atomic
def flag_update(*, flag: Flag, data: dict[str, Any], by) -> Flag:
    """Change a flag's rollout settings; its name never changes."""
    data = dict(data)
    data.pop("name", None)
    relations = {field: data.pop(field, None) for field in RELATION_FIELDS}
    for field, value in data.items():
        setattr(flag, field, value)
    flag.save()
    _set_relations(flag, relations)
    flag.flush()

    logger.info("Feature flag changed", extra={"flag": flag.name, "by": by.pk})
    return flag


def switch_set(*, switch: Switch, active: bool, by) -> Switch:
    """Turn a switch on or off for every request."""
    switch.active = active
    switch.save(update_fields=["active", "modified"])

    logger.info(
        "Switch changed",
        extra={"switch": switch.name, "active": active, "by": by.pk},
    )
    return switch


@transaction.atomic
def flags_initialize(*, environment: str) -> list[str]:
    """Create the registry's missing flags with `environment`'s defaults.

    Existing rows are never touched, whoever changed them, so running this
    again changes nothing. A flag on by default is created on for everyone;
    one off by default is created with every rule off, so that adding a
    company, a user or a percentage is all a rollout needs.
    Returns the names created.
    """
    created_names = []
    for name, definition in REGISTRY.items():
        if definition.default_for(environment):
            defaults = {"everyone": True}
        else:
            defaults = {"everyone": None, "superusers": False, "percent": None}
        _flag, created = Flag.objects.get_or_create(name=name, defaults=defaults)
        if created:
            created_names.append(name)

    logger.info(
        "Feature flags initialised",
        extra={"environment": environment, "flags_created": created_names},
    )
    return created_names
