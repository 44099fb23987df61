import pytest
import time_machine

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
