"""Reads about users, scoped to what the requester may see."""

from django.db.models import QuerySet

from .models import User
from .permissions import company_ids


def user_visible_get(*, requester, user_id) -> User | None:
    """The user with `user_id` if the requester may see them, else None.

    A user is visible to the members of any company they belong to; the
    super admin sees everyone. An unknown id and an invisible one look the
    same to the caller, so ids leak nothing.
    """
    users: QuerySet[User] = User.objects.all()
    if not requester.is_superuser:
        users = users.filter(memberships__company_id__in=company_ids(requester))
    return users.filter(pk=user_id).distinct().first()
