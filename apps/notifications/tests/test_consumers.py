"""The `/ws/notifications/` consumer through the project's ASGI application.

Sockets are opened with Channels' communicator on the in-memory layer.
Data is committed (`transaction=True`) because the consumer reads users
and memberships from another thread, and pushes leave on commit.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.authtoken.models import Token

from apps.appointments import services
from apps.appointments.models import Appointment, AppointmentStatus
from apps.companies.models import Role
from apps.core.tests.factories import (
    ActorServiceFactory,
    ServiceFactory,
    actor_of,
    full_week,
    member,
)
from apps.feature_flags.models import Flag
from apps.notifications import flags, realtime
from apps.notifications.models import Channel, Notification
from apps.notifications.signals import notification_created
from secretariaVirtual.asgi import application

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2027, 3, 10, 9, 0, tzinfo=SAO_PAULO)
TOMORROW_10 = datetime(2027, 3, 11, 10, 0, tzinfo=SAO_PAULO)
ORIGIN = (b"origin", b"http://testserver")
QUIET_SECONDS = 0.2

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    # A fresh layer per test, whatever REDIS_URL says: groups of an earlier
    # test's sockets must not linger.
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def run(scenario):
    return async_to_sync(scenario)()


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    value = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return f"{django_settings.SESSION_COOKIE_NAME}={value}".encode()


async def open_socket(
    *, cookie: bytes | None = None, token: str | None = None, origin=ORIGIN
):
    headers = ([origin] if origin else []) + ([(b"cookie", cookie)] if cookie else [])
    path = "/ws/notifications/" + (f"?token={token}" if token else "")
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected is True
    return communicator


async def socket_for(user):
    cookie = await database_sync_to_async(session_cookie)(user)
    return await open_socket(cookie=cookie)


async def frames(communicator) -> list[dict]:
    """Every frame the socket receives until it stays quiet."""
    received = []
    while not await communicator.receive_nothing(timeout=QUIET_SECONDS):
        received.append(await communicator.receive_json_from())
    return received


def summary(frame: dict) -> tuple[str, str]:
    """The event type with the appointment's status or the changed date."""
    data = frame["data"]
    return frame["type"], data.get("status") or data.get("date")


def without_notifications(received: list[dict]) -> list[dict]:
    return [frame for frame in received if frame["type"] != "notification.created"]


def bookable(tenant):
    """A 30-minute service the tenant's actor offers every day 09:00-18:00."""
    service = ServiceFactory(company=tenant.company, name="Corte")
    ActorServiceFactory(actor=tenant.actor, service=service)
    full_week(tenant.actor, time(9, 0), time(18, 0))
    return service


def require_approval(tenant):
    """Customers' requests wait for staff; call before `bookable`, which
    loads the actor's company."""
    tenant.company.requires_approval = True
    tenant.company.save(update_fields=["requires_approval"])


def book(tenant, service, *, customer, by, actor=None, start=TOMORROW_10):
    return services.appointment_book(
        actor=actor or tenant.actor,
        service=service,
        customer=customer,
        start=start,
        by=by,
    )


async def close_all(*communicators):
    for communicator in communicators:
        await communicator.disconnect()


def test_consumer_signs_in_by_session_cookie(tenant_a):
    async def scenario():
        socket = await socket_for(tenant_a.manager)
        await database_sync_to_async(realtime.push)(
            [realtime.user_group(tenant_a.manager.id)], "notification.created", {"n": 1}
        )
        received = await frames(socket)
        await close_all(socket)
        return received

    assert run(scenario) == [{"type": "notification.created", "data": {"n": 1}}]


def test_consumer_signs_in_by_token(tenant_a):
    key = Token.objects.create(user=tenant_a.customer).key

    async def scenario():
        socket = await open_socket(token=key)
        await database_sync_to_async(realtime.push)(
            [realtime.user_group(tenant_a.customer.id)], "notification.created", {}
        )
        received = await frames(socket)
        await close_all(socket)
        return received

    assert run(scenario) == [{"type": "notification.created", "data": {}}]


def test_consumer_signs_in_by_token_without_an_origin_header(tenant_a):
    # Programs (mobile apps, scripts) send no Origin; browsers always do.
    key = Token.objects.create(user=tenant_a.customer).key

    async def scenario():
        socket = await open_socket(token=key, origin=None)
        await database_sync_to_async(realtime.push)(
            [realtime.user_group(tenant_a.customer.id)], "notification.created", {}
        )
        received = await frames(socket)
        await close_all(socket)
        return received

    assert run(scenario) == [{"type": "notification.created", "data": {}}]


def test_consumer_closes_4401_without_credentials_or_origin(db):
    async def scenario():
        socket = await open_socket(origin=None)
        return await socket.receive_output()

    assert run(scenario) == {"type": "websocket.close", "code": 4401}


def test_consumer_refuses_a_foreign_origin_before_the_handshake(tenant_a):
    cookie = session_cookie(tenant_a.manager)

    async def scenario():
        headers = [(b"origin", b"https://evil.example"), (b"cookie", cookie)]
        communicator = WebsocketCommunicator(
            application, "/ws/notifications/", headers=headers
        )
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    # Closed before it was accepted: daphne answers such a handshake 403.
    assert run(scenario) == (False, 1000)


def test_consumer_closes_4401_without_credentials(db):
    async def scenario():
        socket = await open_socket()
        return await socket.receive_output()

    assert run(scenario) == {"type": "websocket.close", "code": 4401}


def test_consumer_closes_4401_for_unknown_token(tenant_a):
    async def scenario():
        socket = await open_socket(token="0" * 40)
        return await socket.receive_output()

    assert run(scenario) == {"type": "websocket.close", "code": 4401}


def test_consumer_closes_4401_for_unknown_token_despite_session(tenant_a):
    cookie = session_cookie(tenant_a.manager)

    async def scenario():
        socket = await open_socket(cookie=cookie, token="0" * 40)
        return await socket.receive_output()

    assert run(scenario) == {"type": "websocket.close", "code": 4401}


def test_consumer_closes_4401_for_inactive_user_token(tenant_a):
    key = Token.objects.create(user=tenant_a.customer).key
    tenant_a.customer.is_active = False
    tenant_a.customer.save(update_fields=["is_active"])

    async def scenario():
        socket = await open_socket(token=key)
        return await socket.receive_output()

    assert run(scenario) == {"type": "websocket.close", "code": 4401}


def test_consumer_closes_4401_for_inactive_user_session(tenant_a):
    cookie = session_cookie(tenant_a.manager)
    tenant_a.manager.is_active = False
    tenant_a.manager.save(update_fields=["is_active"])

    async def scenario():
        socket = await open_socket(cookie=cookie)
        return await socket.receive_output()

    assert run(scenario) == {"type": "websocket.close", "code": 4401}


def test_consumer_ignores_messages_from_the_client(tenant_a):
    async def scenario():
        socket = await socket_for(tenant_a.manager)
        await socket.send_json_to({"type": "appointment.created", "data": {}})
        received = await frames(socket)
        await close_all(socket)
        return received

    assert run(scenario) == []


def test_groups_for_manager_joins_staff_and_company(tenant_a):
    groups = realtime.groups_for(tenant_a.manager)

    assert groups == [
        f"user.{tenant_a.manager.id}",
        f"company.{tenant_a.company.id}",
        f"company.{tenant_a.company.id}.staff",
    ]


def test_groups_for_actor_and_customer_skip_staff_group(tenant_a):
    actor_groups = realtime.groups_for(tenant_a.actor_user)
    customer_groups = realtime.groups_for(tenant_a.customer)

    assert actor_groups == [
        f"user.{tenant_a.actor_user.id}",
        f"company.{tenant_a.company.id}",
    ]
    assert customer_groups == [
        f"user.{tenant_a.customer.id}",
        f"company.{tenant_a.company.id}",
    ]


def test_groups_for_member_of_two_companies_joins_each(tenant_a, tenant_b):
    user = tenant_a.customer
    member_b = member(tenant_b.company, Role.CUSTOMER, email="x@beta.example.com")
    member_b.memberships.update(user=user)

    groups = realtime.groups_for(user)

    assert groups == [
        f"user.{user.id}",
        f"company.{tenant_a.company.id}",
        f"company.{tenant_b.company.id}",
    ]


def test_groups_for_ignores_inactive_membership(tenant_a):
    tenant_a.manager.memberships.update(is_active=False)

    groups = realtime.groups_for(tenant_a.manager)

    assert groups == [f"user.{tenant_a.manager.id}"]


def test_booking_reaches_staff_and_its_customer_only(tenant_a):
    service = bookable(tenant_a)
    people = [
        tenant_a.admin,
        tenant_a.manager,
        tenant_a.actor_user,
        tenant_a.customer,
        tenant_a.other_customer,
    ]

    async def scenario():
        sockets = [await socket_for(user) for user in people]
        appointment = await database_sync_to_async(book)(
            tenant_a, service, customer=tenant_a.customer, by=tenant_a.manager
        )
        received = [without_notifications(await frames(s)) for s in sockets]
        await close_all(*sockets)
        return appointment, received

    appointment, received = run(scenario)

    booked = Appointment.objects.select_related(
        "company", "actor", "service", "customer"
    ).get(pk=appointment.pk)
    created = {
        "type": "appointment.created",
        "data": realtime.appointment_data(booked, language="pt-br"),
    }
    freed = {
        "type": "availability.changed",
        "data": {"actor": tenant_a.actor.id, "date": "2027-03-11"},
    }
    admin, manager, actor_user, customer, other_customer = received
    assert admin == [created, freed]
    assert manager == [created, freed]
    assert actor_user == [created, freed]
    assert customer == [created, freed]
    assert other_customer == [freed]
    assert created["data"]["status"] == AppointmentStatus.CONFIRMED
    assert created["data"]["start"] == "2027-03-11T10:00:00-03:00"


def test_confirm_pushes_appointment_updated(tenant_a):
    require_approval(tenant_a)
    service = bookable(tenant_a)
    appointment = book(
        tenant_a, service, customer=tenant_a.customer, by=tenant_a.customer
    )

    async def scenario():
        socket = await socket_for(tenant_a.customer)
        await database_sync_to_async(services.appointment_confirm)(
            appointment=appointment, by=tenant_a.manager
        )
        received = without_notifications(await frames(socket))
        await close_all(socket)
        return received

    received = run(scenario)

    assert [(f["type"], f["data"].get("status")) for f in received] == [
        ("appointment.updated", AppointmentStatus.CONFIRMED),
        ("availability.changed", None),
    ]
    assert received[0]["data"]["id"] == appointment.id


def test_booking_for_a_manager_reaches_that_manager_once(tenant_a):
    service = bookable(tenant_a)

    async def scenario():
        socket = await socket_for(tenant_a.manager)
        await database_sync_to_async(book)(
            tenant_a, service, customer=tenant_a.manager, by=tenant_a.manager
        )
        received = without_notifications(await frames(socket))
        await close_all(socket)
        return received

    received = run(scenario)

    assert [frame["type"] for frame in received] == [
        "appointment.created",
        "availability.changed",
    ]


def test_actor_gets_only_own_appointments(tenant_a):
    service = bookable(tenant_a)
    second_user = member(tenant_a.company, Role.ACTOR, email="actor2@alpha.example.com")
    second_actor = actor_of(second_user, tenant_a.company)
    ActorServiceFactory(actor=second_actor, service=service)
    full_week(second_actor, time(9, 0), time(18, 0))

    async def scenario():
        first, second = tenant_a.actor_user, second_user
        sockets = [await socket_for(first), await socket_for(second)]
        await database_sync_to_async(book)(
            tenant_a,
            service,
            customer=tenant_a.customer,
            by=tenant_a.manager,
            actor=second_actor,
        )
        received = [without_notifications(await frames(s)) for s in sockets]
        await close_all(*sockets)
        return received

    first, second = run(scenario)

    freed = {
        "type": "availability.changed",
        "data": {"actor": second_actor.id, "date": "2027-03-11"},
    }
    assert first == [freed]
    assert [frame["type"] for frame in second] == ["appointment.created"] + [
        "availability.changed"
    ]


def test_appointment_events_reach_each_socket_in_its_readers_language(tenant_a):
    service = bookable(tenant_a)
    service.name_pt_br, service.name_en = "Barba", "Beard trim"
    service.save(update_fields=["name_pt_br", "name_en"])
    tenant_a.customer.language = "en"
    tenant_a.customer.save(update_fields=["language"])
    tenant_a.actor_user.language = "en"
    tenant_a.actor_user.save(update_fields=["language"])

    def book_then_cancel():
        appointment = book(
            tenant_a, service, customer=tenant_a.customer, by=tenant_a.customer
        )
        services.appointment_cancel(appointment=appointment, by=tenant_a.manager)

    async def scenario():
        people = [tenant_a.manager, tenant_a.actor_user, tenant_a.customer]
        sockets = [await socket_for(user) for user in people]
        await database_sync_to_async(book_then_cancel)()
        received = [without_notifications(await frames(s)) for s in sockets]
        await close_all(*sockets)
        return received

    manager, actor_user, customer = run(scenario)

    def names(received):
        return [
            (f["type"], f["data"]["status"], f["data"]["service_name"])
            for f in received
            if f["type"].startswith("appointment.")
        ]

    # The staff group reads the company's language (pt-br); the customer and
    # the actor read their own preference, whoever acted.
    assert names(manager) == [
        ("appointment.created", "confirmed", "Barba"),
        ("appointment.updated", "cancelled", "Barba"),
    ]
    assert names(actor_user) == [
        ("appointment.created", "confirmed", "Beard trim"),
        ("appointment.updated", "cancelled", "Beard trim"),
    ]
    assert names(customer) == names(actor_user)


def test_appointment_audiences_use_the_company_language_without_a_preference(
    tenant_a,
):
    tenant_a.company.language = "en"
    tenant_a.company.save(update_fields=["language"])
    tenant_a.customer.language = "pt-br"
    tenant_a.customer.save(update_fields=["language"])
    service = bookable(tenant_a)
    appointment = book(
        tenant_a, service, customer=tenant_a.customer, by=tenant_a.manager
    )
    appointment = Appointment.objects.select_related(
        "company", "customer", "actor__user", "service"
    ).get(pk=appointment.pk)

    audiences = realtime.appointment_audiences(appointment)

    personal = sorted([(tenant_a.customer.id, "pt-br"), (tenant_a.actor_user.id, "en")])
    assert audiences == [(f"company.{tenant_a.company.id}.staff", "en")] + [
        (f"user.{user_id}", language) for user_id, language in personal
    ]


def test_company_b_events_never_reach_company_a(tenant_a, tenant_b):
    require_approval(tenant_b)
    service_b = bookable(tenant_b)
    people_a = [
        tenant_a.admin,
        tenant_a.manager,
        tenant_a.actor_user,
        tenant_a.customer,
        tenant_a.other_customer,
    ]

    def company_b_busy_day():
        pending = book(
            tenant_b, service_b, customer=tenant_b.customer, by=tenant_b.customer
        )
        services.appointment_confirm(appointment=pending, by=tenant_b.manager)
        services.appointment_cancel(appointment=pending, by=tenant_b.manager)
        services.working_hours_create(
            actor=tenant_b.actor,
            weekday=6,
            start_time=time(19, 0),
            end_time=time(21, 0),
            by=tenant_b.manager,
        )
        row = Notification.objects.create(
            key="test:b",
            company=tenant_b.company,
            recipient=tenant_b.manager,
            channel=Channel.IN_APP,
            kind="appointment.requested",
            language="pt-br",
            title="Novo pedido",
            body="Um cliente pediu um horário.",
            status="sent",
            next_attempt_at=NOW,
        )
        notification_created.send(sender=Notification, notification=row)

    async def scenario():
        sockets_a = [await socket_for(user) for user in people_a]
        socket_b = await socket_for(tenant_b.manager)
        await database_sync_to_async(company_b_busy_day)()
        received_a = [await frames(s) for s in sockets_a]
        received_b = await frames(socket_b)
        await close_all(*sockets_a, socket_b)
        return received_a, received_b

    received_a, received_b = run(scenario)

    assert received_a == [[], [], [], [], []]
    assert [summary(f) for f in without_notifications(received_b)] == [
        ("appointment.created", "pending"),
        ("availability.changed", "2027-03-11"),
        ("appointment.updated", "confirmed"),
        ("availability.changed", "2027-03-11"),
        ("appointment.updated", "cancelled"),
        ("availability.changed", "2027-03-11"),
        # Sunday hours from 19:00 change Sundays and, since a range may run
        # past midnight, the Mondays after them.
        ("availability.changed", "2027-03-14"),
        ("availability.changed", "2027-03-15"),
        ("availability.changed", "2027-03-21"),
        ("availability.changed", "2027-03-22"),
        ("availability.changed", "2027-03-28"),
        ("availability.changed", "2027-03-29"),
        ("availability.changed", "2027-04-04"),
        ("availability.changed", "2027-04-05"),
    ]
    assert "notification.created" in {f["type"] for f in received_b}


def test_notification_created_reaches_its_recipient_only(tenant_a):
    row = Notification.objects.create(
        key="test:1",
        company=tenant_a.company,
        recipient=tenant_a.actor_user,
        channel=Channel.IN_APP,
        kind="appointment.requested",
        language="en",
        title="New request",
        body="A customer asked for Friday 10:00.",
        data={"appointment": 7},
        status="sent",
        next_attempt_at=NOW,
    )

    async def scenario():
        sockets = [
            await socket_for(tenant_a.actor_user),
            await socket_for(tenant_a.manager),
        ]
        await database_sync_to_async(notification_created.send)(
            sender=Notification, notification=row
        )
        received = [await frames(s) for s in sockets]
        await close_all(*sockets)
        return received

    actor_frames, manager_frames = run(scenario)

    assert actor_frames == [
        {
            "type": "notification.created",
            "data": {
                "id": row.id,
                "kind": "appointment.requested",
                "title": "New request",
                "body": "A customer asked for Friday 10:00.",
                "data": {"appointment": 7},
                "channel": "in_app",
                "status": "sent",
                "read_at": None,
                "created_at": "2027-03-10T09:00:00-03:00",
            },
        }
    ]
    assert manager_frames == []


def test_in_app_notifications_of_a_booking_reach_their_recipients(tenant_a):
    require_approval(tenant_a)
    service = bookable(tenant_a)
    people = [tenant_a.manager, tenant_a.actor_user, tenant_a.other_customer]

    async def scenario():
        sockets = [await socket_for(user) for user in people]
        await database_sync_to_async(book)(
            tenant_a, service, customer=tenant_a.customer, by=tenant_a.customer
        )
        received = [await frames(s) for s in sockets]
        await close_all(*sockets)
        return received

    received = run(scenario)

    for user, user_frames in zip(people, received, strict=True):
        pushed = [
            f["data"]["id"] for f in user_frames if f["type"] == "notification.created"
        ]
        stored = list(
            Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        assert pushed == stored
    assert received[2] == [
        {
            "type": "availability.changed",
            "data": {"actor": tenant_a.actor.id, "date": "2027-03-11"},
        }
    ]


def test_push_failure_does_not_fail_the_booking(tenant_a, monkeypatch, caplog):
    service = bookable(tenant_a)

    class BrokenLayer:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(realtime, "get_channel_layer", lambda: BrokenLayer())

    appointment = book(
        tenant_a, service, customer=tenant_a.customer, by=tenant_a.manager
    )

    failures = [
        (r.getMessage(), r.event_type)
        for r in caplog.records
        if r.name == realtime.__name__
    ]
    assert Appointment.objects.get(pk=appointment.pk).status == "confirmed"
    # Each push is tried on its own: the in-app notifications of the
    # customer and the actor still go out after the appointment's push fails.
    assert failures == [
        ("Live push failed", "appointment.created"),
        ("Live push failed", "notification.created"),
        ("Live push failed", "notification.created"),
        ("Live push failed", "availability.changed"),
    ]


def test_company_with_live_flag_off_gets_no_pushes(tenant_a):
    service = bookable(tenant_a)
    Flag.objects.create(name=flags.WEBSOCKET, everyone=False, superusers=False)

    async def scenario():
        socket = await socket_for(tenant_a.manager)
        await database_sync_to_async(book)(
            tenant_a, service, customer=tenant_a.customer, by=tenant_a.manager
        )
        received = await frames(socket)
        await close_all(socket)
        return received

    assert run(scenario) == []


def availability_frames(tenant, change) -> list[tuple[int, str]]:
    """(actor, date) of each `availability.changed` a customer's socket gets
    while `change` runs."""

    async def scenario():
        socket = await socket_for(tenant.other_customer)
        await database_sync_to_async(change)()
        received = await frames(socket)
        await close_all(socket)
        return received

    return [
        (frame["data"]["actor"], frame["data"]["date"])
        for frame in run(scenario)
        if frame["type"] == "availability.changed"
    ]


def test_time_block_create_and_delete_announce_their_days(tenant_a):
    actor = tenant_a.actor
    holder = {}

    def block_two_days():
        holder["block"] = services.time_block_create(
            actor=actor,
            start=datetime(2027, 3, 12, 18, 0, tzinfo=SAO_PAULO),
            end=datetime(2027, 3, 13, 10, 0, tzinfo=SAO_PAULO),
            reason="Viagem",
            by=tenant_a.manager,
        )

    def unblock():
        services.time_block_delete(block=holder["block"], by=tenant_a.manager)

    assert availability_frames(tenant_a, block_two_days) == [
        (actor.id, "2027-03-12"),
        (actor.id, "2027-03-13"),
    ]
    assert availability_frames(tenant_a, unblock) == [
        (actor.id, "2027-03-12"),
        (actor.id, "2027-03-13"),
    ]


def test_working_hours_change_announces_old_and_new_weekdays(tenant_a):
    actor = tenant_a.actor
    hours = services.working_hours_create(
        actor=actor,
        weekday=0,
        start_time=time(9, 0),
        end_time=time(12, 0),
        by=tenant_a.manager,
    )

    def move_to_thursday():
        services.working_hours_update(
            hours=hours, data={"weekday": 3}, by=tenant_a.manager
        )

    def remove():
        services.working_hours_delete(hours=hours, by=tenant_a.manager)

    # The 28 days from Wednesday 2027-03-10 to Tuesday 2027-04-06: Mondays
    # and the Tuesdays after them (the old range), Thursdays and the Fridays
    # after them (the new); removing the Thursday range, only the latter.
    moved = availability_frames(tenant_a, move_to_thursday)
    removed = availability_frames(tenant_a, remove)

    assert moved == [
        (actor.id, day)
        for day in [
            "2027-03-11",
            "2027-03-12",
            "2027-03-15",
            "2027-03-16",
            "2027-03-18",
            "2027-03-19",
            "2027-03-22",
            "2027-03-23",
            "2027-03-25",
            "2027-03-26",
            "2027-03-29",
            "2027-03-30",
            "2027-04-01",
            "2027-04-02",
            "2027-04-05",
            "2027-04-06",
        ]
    ]
    assert removed == [
        (actor.id, day)
        for day in [
            "2027-03-11",
            "2027-03-12",
            "2027-03-18",
            "2027-03-19",
            "2027-03-25",
            "2027-03-26",
            "2027-04-01",
            "2027-04-02",
        ]
    ]


def test_reschedule_announces_the_old_and_the_new_day(tenant_a):
    service = bookable(tenant_a)
    appointment = book(
        tenant_a, service, customer=tenant_a.customer, by=tenant_a.manager
    )

    def move_a_day_later():
        services.appointment_reschedule(
            appointment=appointment,
            start=datetime(2027, 3, 12, 10, 0, tzinfo=SAO_PAULO),
            by=tenant_a.manager,
        )

    assert availability_frames(tenant_a, move_a_day_later) == [
        (tenant_a.actor.id, "2027-03-11"),
        (tenant_a.actor.id, "2027-03-12"),
    ]


def test_cancellation_announces_the_freed_day(tenant_a):
    service = bookable(tenant_a)
    appointment = book(
        tenant_a, service, customer=tenant_a.customer, by=tenant_a.manager
    )

    def cancel():
        services.appointment_cancel(appointment=appointment, by=tenant_a.manager)

    assert availability_frames(tenant_a, cancel) == [(tenant_a.actor.id, "2027-03-11")]
