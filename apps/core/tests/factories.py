"""factory_boy factories for the whole project's tests."""

from datetime import time
from decimal import Decimal

import factory

from apps.accounts.models import User
from apps.appointments.models import (
    Actor,
    ActorService,
    Service,
    TimeBlock,
    WorkingHours,
)
from apps.companies.models import Company, Membership, Role

PASSWORD = "Secret-pass-2027"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    timezone = "America/Sao_Paulo"
    min_notice_minutes = 0


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Role.CUSTOMER


def member(company: Company, role: str, **user_fields) -> User:
    """A new user with `role` in `company` (an actor gets its profile)."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, company=company, role=role)
    return user


def actor_of(user: User, company: Company) -> Actor:
    return Actor.objects.get(user=user, company=company)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    duration_minutes = 30
    price = Decimal("50.00")


class ActorServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActorService

    actor = None
    service = None
    company = factory.LazyAttribute(lambda o: o.service.company)


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    actor = None
    company = factory.LazyAttribute(lambda o: o.actor.company)
    weekday = 0
    start_time = time(9, 0)
    end_time = time(18, 0)


class TimeBlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeBlock

    actor = None
    company = factory.LazyAttribute(lambda o: o.actor.company)
    reason = "Blocked"


def full_week(actor: Actor, start=time(9, 0), end=time(18, 0)) -> None:
    """Working hours every day of the week for an actor."""
    for weekday in range(7):
        WorkingHoursFactory(
            actor=actor, weekday=weekday, start_time=start, end_time=end
        )
