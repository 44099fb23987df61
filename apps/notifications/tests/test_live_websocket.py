"""`/ws/notifications/` end to end: daphne on 127.0.0.1, channels-redis on
the real Redis, and the `websockets` package as the client.

The server is another process over a SQLite file with the demo company
(see `live_server`); bookings go through the REST API as a client's would.
"""

import asyncio
import json
import time

import pytest
import redis
import requests
import websockets

from .live_server import (
    LiveServer,
    copy_database,
    prepare_database,
    redis_url_for_tests,
)

pytestmark = pytest.mark.redis

PASSWORD = "Demo-Secretaria-2025"
MANAGER = "manager@demo.virtualsecretary.local"
CUSTOMER = "customer@demo.virtualsecretary.local"
COMPANY_SLUG = "barbearia-virtual"
# The server's clock is Tuesday 2027-03-09 08:00 (live_server.DEMO_NOW).
TODAY = "2027-03-09"
QUIET_SECONDS = 0.5
PUSH_DEADLINE_SECONDS = 1.0
# Longer than redis-py 8's default socket timeout (5 s), which cut the
# channel layer's blocking read of an idle socket.
IDLE_SECONDS = 7


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live-websocket")
    template = folder / "template.sqlite3"
    prepare_database(template)
    live = LiveServer(
        copy_database(template, folder / "db.sqlite3"), redis_url=redis_url_for_tests()
    )
    with live:
        yield live


def login(server: LiveServer, email: str, password: str = PASSWORD) -> str:
    answer = requests.post(
        f"{server.url}/api/auth/users/login/",
        json={"email": email, "password": password},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def register(server: LiveServer, email: str, name: str) -> str:
    answer = requests.post(
        f"{server.url}/api/auth/users/register/",
        json={
            "company": COMPANY_SLUG,
            "email": email,
            "name": name,
            "password": PASSWORD,
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return login(server, email)


def api_get(server: LiveServer, token: str, path: str) -> dict:
    answer = requests.get(
        server.url + path,
        params={"page_size": 200},
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def book(server: LiveServer, token: str, *, actor: int, service: int, start: str):
    answer = requests.post(
        f"{server.url}/api/appointments/",
        json={"actor": actor, "service": service, "start": start},
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def demo_offer(server: LiveServer, token: str) -> tuple[int, int]:
    """Rafael Souza's haircut, which needs no approval."""
    actors = api_get(server, token, "/api/appointments/actors/")["results"]
    actor = next(a["id"] for a in actors if a["display_name"] == "Rafael Souza")
    services = api_get(server, token, "/api/appointments/services/")["results"]
    service = next(s["id"] for s in services if s["name"] == "Corte de cabelo")
    return actor, service


def socket(server: LiveServer, *, token: str | None = None, cookie: str = ""):
    path = "/ws/notifications/" + (f"?token={token}" if token else "")
    headers = {"Cookie": cookie} if cookie else None
    return websockets.connect(
        server.ws_url + path, origin=server.url, additional_headers=headers
    )


async def frames_until_quiet(connection) -> list[dict]:
    received = []
    while True:
        try:
            text = await asyncio.wait_for(connection.recv(), QUIET_SECONDS)
        except TimeoutError:
            return received
        received.append(json.loads(text))


async def first_of_type(connection, event_type: str) -> dict:
    while True:
        frame = json.loads(await connection.recv())
        if frame["type"] == event_type:
            return frame


def test_live_socket_without_credentials_closes_4401(server):
    async def scenario():
        async with socket(server) as connection:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await connection.recv()
            return closed.value.rcvd.code

    assert asyncio.run(scenario()) == 4401


def test_live_socket_signs_in_by_session_cookie(server):
    browser = requests.Session()
    form = browser.get(f"{server.url}/dashboard/login/", timeout=10)
    assert form.status_code == 200
    signed = browser.post(
        f"{server.url}/dashboard/login/",
        data={
            "username": MANAGER,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": f"{server.url}/dashboard/login/"},
        timeout=10,
        allow_redirects=False,
    )
    assert signed.status_code == 302
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    token = login(server, CUSTOMER)
    actor, service = demo_offer(server, token)

    async def scenario():
        async with socket(server, cookie=cookie) as connection:
            booked = await asyncio.to_thread(
                book,
                server,
                token,
                actor=actor,
                service=service,
                start=f"{TODAY}T11:00",
            )
            frame = await asyncio.wait_for(
                first_of_type(connection, "appointment.created"), 5
            )
            return booked, frame

    booked, frame = asyncio.run(scenario())

    assert frame == {"type": "appointment.created", "data": booked}


def test_live_server_uses_channels_redis(server):
    token = login(server, MANAGER)
    client = redis.Redis.from_url(redis_url_for_tests())

    async def scenario():
        async with socket(server, token=token) as connection:
            await connection.ping()
            return sorted(
                key.decode()
                for key in client.scan_iter(match=f"{server.prefix}*company*")
            )

    try:
        keys = asyncio.run(scenario())
    finally:
        client.close()

    assert keys == [
        f"{server.prefix}:group:company.1",
        f"{server.prefix}:group:company.1.staff",
    ]


def test_api_booking_reaches_staff_socket_within_a_second(server):
    manager = login(server, MANAGER)
    customer = login(server, CUSTOMER)
    actor, service = demo_offer(server, customer)

    async def scenario():
        async with socket(server, token=manager) as connection:
            started = time.perf_counter()
            booked = await asyncio.to_thread(
                book,
                server,
                customer,
                actor=actor,
                service=service,
                start=f"{TODAY}T14:00",
            )
            frame = await asyncio.wait_for(
                first_of_type(connection, "appointment.created"),
                PUSH_DEADLINE_SECONDS,
            )
            return booked, frame, time.perf_counter() - started

    booked, frame, elapsed = asyncio.run(scenario())

    assert frame == {"type": "appointment.created", "data": booked}
    assert booked["status"] == "confirmed"
    assert elapsed < PUSH_DEADLINE_SECONDS


def test_customer_socket_gets_only_that_customers_events(server):
    carla = login(server, CUSTOMER)
    other = register(server, "rita.lopes@example.com", "Rita Lopes")
    actor, service = demo_offer(server, carla)

    async def scenario():
        async with socket(server, token=carla) as carla_socket:
            async with socket(server, token=other) as other_socket:
                carla_booking = await asyncio.to_thread(
                    book,
                    server,
                    carla,
                    actor=actor,
                    service=service,
                    start=f"{TODAY}T16:00",
                )
                after_carla = [
                    await frames_until_quiet(carla_socket),
                    await frames_until_quiet(other_socket),
                ]
                other_booking = await asyncio.to_thread(
                    book,
                    server,
                    other,
                    actor=actor,
                    service=service,
                    start=f"{TODAY}T17:00",
                )
                after_other = [
                    await frames_until_quiet(carla_socket),
                    await frames_until_quiet(other_socket),
                ]
        return carla_booking, other_booking, after_carla, after_other

    carla_booking, other_booking, after_carla, after_other = asyncio.run(scenario())

    freed = {
        "type": "availability.changed",
        "data": {"actor": actor, "date": TODAY},
    }
    carla_notifications = api_get(server, carla, "/api/notifications/")["results"]
    other_notifications = api_get(server, other, "/api/notifications/")["results"]
    # Carla's socket: her appointment, her in-app notification, the freed
    # slot; the other customer's: only the slot, which names nobody.
    assert after_carla[0] == [
        {"type": "appointment.created", "data": carla_booking},
        {"type": "notification.created", "data": carla_notifications[0]},
        freed,
    ]
    assert after_carla[1] == [freed]
    assert after_other[0] == [freed]
    assert after_other[1] == [
        {"type": "appointment.created", "data": other_booking},
        {"type": "notification.created", "data": other_notifications[0]},
        freed,
    ]


def test_idle_socket_survives_and_still_gets_events(server):
    manager = login(server, MANAGER)
    customer = login(server, CUSTOMER)
    actor, service = demo_offer(server, customer)

    async def scenario():
        async with socket(server, token=manager) as connection:
            await asyncio.sleep(IDLE_SECONDS)
            booked = await asyncio.to_thread(
                book,
                server,
                customer,
                actor=actor,
                service=service,
                start=f"{TODAY}T10:00",
            )
            frame = await asyncio.wait_for(
                first_of_type(connection, "appointment.created"),
                PUSH_DEADLINE_SECONDS,
            )
            return booked, frame

    booked, frame = asyncio.run(scenario())

    assert frame == {"type": "appointment.created", "data": booked}
    assert "Timeout reading from" not in server.log()
