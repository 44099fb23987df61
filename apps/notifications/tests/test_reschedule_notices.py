"""Every reschedule is told, a move back to an earlier time included."""

import pytest
import time_machine

from apps.appointments.tests.support import (
    APPOINTMENTS,
    EN,
    NOW,
    TUESDAY,
    local,
    make_shop,
)
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shop_a(tenant_a):
    return make_shop(tenant_a)


def test_reschedule_back_and_forth_notifies_every_move(
    api, shop_a, django_capture_on_commit_callbacks
):
    client = api.as_user(shop_a.tenant.customer)
    booked = client.post(
        APPOINTMENTS,
        {
            "actor": shop_a.actor.pk,
            "service": shop_a.service.pk,
            "start": local(TUESDAY, 10),
        },
        format="json",
        **EN,
    )
    url = f"{APPOINTMENTS}{booked.json()['id']}/reschedule/"

    for hour in (11, 10, 11):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"start": local(TUESDAY, hour)}, format="json")
        assert response.status_code == 200

    moves = list(
        Notification.objects.filter(
            recipient=shop_a.tenant.actor_user,
            kind="appointment.rescheduled",
            channel="in_app",
        )
        .order_by("pk")
        .values_list("data__start", flat=True)
    )
    assert moves == [
        "2027-01-05T11:00:00-03:00",
        "2027-01-05T10:00:00-03:00",
        "2027-01-05T11:00:00-03:00",
    ]
