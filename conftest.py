"""Personas shared by every app's tests: two companies, every role in each."""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils.translation.reloader import translation_file_changed
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.appointments.models import Actor
from apps.companies.models import Company, Role
from apps.core.tests.factories import CompanyFactory, UserFactory, actor_of, member


def pytest_configure(config):
    # Settings are read before this file, so ENVIRONMENT is set on them
    # directly (and in the environment, for subprocesses): the feature-flag
    # registry gives tests the "test" defaults.
    os.environ["ENVIRONMENT"] = "test"
    settings.ENVIRONMENT = "test"


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """Compile the catalogues once when a .po is newer than its .mo."""
    if shutil.which("msgfmt") is None:
        return
    stale = [
        po.parent.parent.name
        for locale_dir in settings.LOCALE_PATHS
        for po in Path(locale_dir).glob("*/LC_MESSAGES/*.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command(
            "compilemessages",
            locale=sorted(set(stale)),
            ignore_patterns=[".venv", "node_modules"],
            verbosity=0,
        )
        # Drops the catalogues Django already loaded in this process.
        translation_file_changed(sender=None, file_path=Path("django.mo"))


@dataclass
class Tenant:
    company: Company
    admin: User
    manager: User
    actor_user: User
    actor: Actor
    customer: User
    other_customer: User


def make_tenant(prefix: str, **company_fields) -> Tenant:
    company = CompanyFactory(
        name=f"{prefix.title()} Co", slug=f"{prefix}-co", **company_fields
    )
    actor_user = member(company, Role.ACTOR, email=f"actor@{prefix}.example.com")
    return Tenant(
        company=company,
        admin=member(company, Role.ADMIN, email=f"admin@{prefix}.example.com"),
        manager=member(company, Role.MANAGER, email=f"manager@{prefix}.example.com"),
        actor_user=actor_user,
        actor=actor_of(actor_user, company),
        customer=member(company, Role.CUSTOMER, email=f"customer@{prefix}.example.com"),
        other_customer=member(
            company, Role.CUSTOMER, email=f"customer2@{prefix}.example.com"
        ),
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 spends about 0.4 s a hash by design; the personas alone make
    # fourteen users per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tenant_a(db) -> Tenant:
    return make_tenant("alpha")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return make_tenant("beta")


@pytest.fixture
def super_admin(db) -> User:
    return UserFactory(email="root@example.com", is_superuser=True, is_staff=True)


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` signs it in with a token."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user=user)
            return self

    return Client()


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make
