import pytest
import time_machine

from apps.companies.models import Role
from apps.core.tests.factories import ActorServiceFactory, actor_of, full_week, member

from .support import NOW, Shop, make_shop


@pytest.fixture
def frozen():
    """The clock stopped at `NOW` (a Monday, 08:00 in São Paulo)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def shop_a(tenant_a) -> Shop:
    return make_shop(tenant_a)


@pytest.fixture
def shop_b(tenant_b) -> Shop:
    return make_shop(tenant_b)


@pytest.fixture
def second_actor(shop_a):
    """Another actor of company A offering the same service all week."""
    user = member(
        shop_a.company, Role.ACTOR, email="actor2@alpha.example.com", name="Bia"
    )
    actor = actor_of(user, shop_a.company)
    ActorServiceFactory(actor=actor, service=shop_a.service)
    full_week(actor)
    return actor
