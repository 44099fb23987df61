"""Loads the demo company, its people and a super admin, and prints the logins.

Running it again changes nothing: every row is looked up by its natural key
(company slug, user email, membership user and company) and only created
when missing. The demo password comes from DEMO_PASSWORD; an existing demo
user whose password differs from it gets it reset, so the printed logins
always work.
"""

import os
from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Language, User
from apps.companies.models import Company, Membership, Role

DEFAULT_DEMO_PASSWORD = "Demo-Secretaria-2025"
DEMO_EMAIL_DOMAIN = "demo.virtualsecretary.local"
DEMO_COMPANY = {
    "slug": "barbearia-virtual",
    "name": "Barbearia Virtual",
    "timezone": "America/Sao_Paulo",
    "language": Language.PT_BR,
    "currency": "BRL",
    "email": f"contato@{DEMO_EMAIL_DOMAIN}",
}
SUPER_ADMIN = ("superadmin", "Super Admin")


@dataclass(frozen=True)
class DemoPerson:
    local_part: str
    name: str
    role: str

    @property
    def email(self) -> str:
        return f"{self.local_part}@{DEMO_EMAIL_DOMAIN}"


DEMO_PEOPLE = (
    DemoPerson("admin", "Helena Duarte", Role.ADMIN),
    DemoPerson("manager", "Marcos Lima", Role.MANAGER),
    DemoPerson("actor1", "Rafael Souza", Role.ACTOR),
    DemoPerson("actor2", "Bruno Costa", Role.ACTOR),
    DemoPerson("actor3", "Diego Ferreira", Role.ACTOR),
    DemoPerson("customer", "Carla Mendes", Role.CUSTOMER),
)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def _ensure_user(email: str, name: str, password: str, **flags) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return User.objects.create_user(
            email=email, password=password, name=name, **flags
        )
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def seed_company() -> Company:
    """The demo company, created with its settings when missing."""
    fields = dict(DEMO_COMPANY)
    company, _created = Company.objects.get_or_create(
        slug=fields.pop("slug"), defaults=fields
    )
    return company


def seed_people(company: Company, password: str) -> dict[str, User]:
    """The demo staff and customer, each with one membership, by role name.

    Creating an `actor` membership creates the actor's profile through the
    membership signal, so the actors are bookable at once.
    """
    people = {}
    for person in DEMO_PEOPLE:
        user = _ensure_user(person.email, person.name, password)
        Membership.objects.get_or_create(
            user=user, company=company, defaults={"role": person.role}
        )
        people[person.local_part] = user
    return people


def seed_super_admin(password: str) -> User:
    local_part, name = SUPER_ADMIN
    return _ensure_user(
        f"{local_part}@{DEMO_EMAIL_DOMAIN}",
        name,
        password,
        is_staff=True,
        is_superuser=True,
    )


def seed_schedule(company: Company, people: dict[str, User]) -> None:
    """Services, working hours, a holiday and appointments of the demo company.

    Receives the company and the people by role name (`admin`, `manager`,
    `actor1`, `actor2`, `actor3`, `customer`); idempotent like the rest of
    the command (see `apps.appointments.demo`).
    """
    from apps.appointments.demo import seed_schedule as seed_demo_schedule

    seed_demo_schedule(company, people)


class Command(BaseCommand):
    help = "Create the demo company, its people and a super admin (idempotent)."

    def handle(self, *args, **options):
        password = demo_password()
        with transaction.atomic():
            company = seed_company()
            people = seed_people(company, password)
            super_admin = seed_super_admin(password)
            seed_schedule(company, people)

        self.stdout.write(f"Demo company: {company.name} ({company.slug})")
        self.stdout.write(f"Password of every demo login: {password}")
        self.stdout.write(f"  super admin  {super_admin.email}")
        for person in DEMO_PEOPLE:
            self.stdout.write(f"  {person.role:<12} {person.email}")
