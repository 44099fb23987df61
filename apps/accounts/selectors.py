"""Reads about users, scoped to what the requester may see."""

from django.db.models import QuerySet

from apps.companies.models import MANAGING_ROLES

from .models import User
from .permissions import company_ids


def user_visible_get(*, requester, user_id) -> User | None:
    """The user with `user_id` if the requester may see them, else None.

    A user is visible to the admins and managers of a company they belong
    to, as in the users endpoint; being a customer or an actor somewhere
    shows nobody. The super admin sees everyone. An unknown id and an
    invisible one look the same to the caller, so ids leak nothing.
    """
    users: QuerySet[User] = User.objects.all()
    if not requester.is_superuser:
        managed = company_ids(requester, MANAGING_ROLES)
        users = users.filter(memberships__company_id__in=managed)
    return users.filter(pk=user_id).distinct().first()
