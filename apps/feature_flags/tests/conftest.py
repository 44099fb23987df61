import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from apps.feature_flags.models import Flag


@pytest.fixture
def make_flag(db):
    """A flag row; `companies`, `users` and `groups` take lists."""

    def make(name: str, *, companies=(), users=(), groups=(), **fields) -> Flag:
        fields.setdefault("superusers", False)
        flag = Flag.objects.create(name=name, **fields)
        flag.companies.set(companies)
        flag.users.set(users)
        flag.groups.set(groups)
        return flag

    return make


@pytest.fixture
def make_request():
    """A Django request as the middleware leaves it: user and language set."""
    factory = RequestFactory()

    def make(user=None, *, query: dict | None = None, language: str = "pt-br"):
        request = factory.get("/", query or {})
        request.user = user if user is not None else AnonymousUser()
        request.LANGUAGE_CODE = language
        return request

    return make
