"""Who may do what: the one place roles are checked.

Views scope their querysets with `company_ids` and name the roles an action
needs with `require_role`; an object of a company the requester cannot see
is simply not in the queryset, so it answers 404.
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from apps.companies.models import MANAGING_ROLES, STAFF_ROLES, Membership, Role
from apps.core.errors import Forbidden, NotFound, ValidationFailed
from apps.core.parsing import is_id

MEMBERSHIP_CACHE_ATTR = "_active_memberships"
# A manager may give these roles; only an admin may make admins and managers.
ROLES_A_MANAGER_MAY_GRANT = frozenset({Role.ACTOR, Role.CUSTOMER})


def memberships(user) -> list[Membership]:
    """The user's active memberships, loaded once per user object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, MEMBERSHIP_CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(
                user=user, is_active=True, company__is_active=True
            ).select_related("company")
        )
        setattr(user, MEMBERSHIP_CACHE_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    if hasattr(user, MEMBERSHIP_CACHE_ATTR):
        delattr(user, MEMBERSHIP_CACHE_ATTR)


def role_in(user, company_id: int) -> str | None:
    for membership in memberships(user):
        if membership.company_id == company_id:
            return membership.role
    return None


def company_ids(user, roles: Iterable[str] | None = None) -> set[int]:
    """Ids of the companies where the user holds one of `roles` (any if None)."""
    wanted = set(roles) if roles is not None else None
    return {
        m.company_id for m in memberships(user) if wanted is None or m.role in wanted
    }


def can_see_company(user, company_id: int) -> bool:
    return user.is_superuser or role_in(user, company_id) is not None


def has_role(user, company_id: int, roles: Iterable[str]) -> bool:
    return user.is_superuser or role_in(user, company_id) in set(roles)


def require_role(user, company_id: int, roles: Iterable[str]) -> None:
    """Raise 404 when the company is not the user's, 403 when the role is wrong."""
    if user.is_superuser:
        return
    role = role_in(user, company_id)
    if role is None:
        raise NotFound()
    if role not in set(roles):
        raise Forbidden()


def is_staff_of(user, company_id: int) -> bool:
    return has_role(user, company_id, STAFF_ROLES)


def is_manager_of(user, company_id: int) -> bool:
    return has_role(user, company_id, MANAGING_ROLES)


def require_may_grant(user, company_id: int, role: str) -> None:
    """Admins grant any role; managers only `actor` and `customer`.

    The same rule covers changing or removing a membership that has `role`.
    """
    require_role(user, company_id, MANAGING_ROLES)
    if user.is_superuser:
        return
    if role_in(user, company_id) == Role.MANAGER and role not in (
        ROLES_A_MANAGER_MAY_GRANT
    ):
        raise Forbidden()


def require_may_edit_person(user, target) -> None:
    """Changing someone's profile or password needs authority over all of them.

    A person may belong to several companies (a customer of two salons), so
    the admin of one company may edit them only if every company they belong
    to is one where the admin could grant their role; otherwise one salon
    could take over an account another company relies on.
    """
    if user.is_superuser or target.pk == user.pk:
        return
    if target.is_superuser:
        raise Forbidden()
    for company_id, role in target.memberships.values_list("company_id", "role"):
        if role_in(user, company_id) is None:
            # The person is visible through a shared company; the refusal is
            # about authority, not visibility.
            raise Forbidden()
        require_may_grant(user, company_id, role)


def resolve_company_id(user, requested, roles: Iterable[str] | None = None) -> int:
    """The company a request acts on.

    A user with several memberships must name it; with one it defaults to
    that one. A company the user cannot see answers 404; one where the role
    is not among `roles`, 403.
    """
    if requested in (None, ""):
        candidates = company_ids(user)
        if len(candidates) == 1:
            company_id = next(iter(candidates))
        else:
            raise ValidationFailed(
                fields={"company": [str(_("Name the company this request is for."))]}
            )
    else:
        if not is_id(str(requested)):
            raise ValidationFailed(
                fields={"company": [str(_("A valid company id is required."))]}
            )
        company_id = int(requested)
    if user.is_superuser:
        from apps.companies.models import Company

        if not Company.objects.filter(pk=company_id).exists():
            raise NotFound()
        return company_id
    if roles is None:
        if role_in(user, company_id) is None:
            raise NotFound()
    else:
        require_role(user, company_id, roles)
    return company_id


class IsSuperAdmin(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_superuser)


class IsCompanyManagerAnywhere(BasePermission):
    """Admins and managers of at least one company, and the super admin."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user.is_authenticated
            and (user.is_superuser or company_ids(user, MANAGING_ROLES))
        )


__all__ = [
    "Role",
    "STAFF_ROLES",
    "MANAGING_ROLES",
    "memberships",
    "company_ids",
    "role_in",
    "require_role",
    "require_may_grant",
    "require_may_edit_person",
    "resolve_company_id",
]
