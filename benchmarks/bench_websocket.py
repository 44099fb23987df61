#!/usr/bin/env python
"""Fan-out latency of `/ws/notifications/` to many open sockets.

    .venv/bin/python benchmarks/bench_websocket.py [--clients 500] [--rounds 10]

One daphne process on 127.0.0.1 serves the project with channels-redis on
REDIS_URL (default redis://127.0.0.1:6379/15, under a key prefix of its
own that is deleted at the end), over a SQLite file with the demo company
and `--clients` extra managers, each with an API token. Every manager opens
one socket (`?token=`), so all of them are in the company's staff group.

Each round the demo customer books a haircut through the REST API; the
clock starts just before the POST leaves. A client "has the event" when its
`appointment.created` frame for that booking is read by the client's event
loop. Median, p90, p99 and max are over every client of every round; the
same figures from the moment the 201 came back are printed too (negative
when the push beat the HTTP answer). One unmeasured booking warms up the
server first. Nothing leaves 127.0.0.1 and the server is stopped at the end.
"""

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import requests
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.notifications.tests.live_server import (  # noqa: E402
    DEMO_NOW,
    LiveServer,
    prepare_database,
    redis_url_for_tests,
)

PASSWORD = "Demo-Secretaria-2025"
CUSTOMER = "customer@demo.virtualsecretary.local"
CREATED_PREFIX = '{"type":"appointment.created"'
CONNECT_BATCH = 50
ROUND_TIMEOUT_SECONDS = 15
GOAL_P99_MS = 250


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def summary(label: str, values_ms: list[float]) -> str:
    return (
        f"{label}: min {min(values_ms):.1f} ms, "
        f"median {statistics.median(values_ms):.1f} ms, "
        f"p90 {percentile(values_ms, 0.90):.1f} ms, "
        f"p99 {percentile(values_ms, 0.99):.1f} ms, "
        f"max {max(values_ms):.1f} ms (n={len(values_ms)})"
    )


class Client:
    """One socket; notes when each booking's `appointment.created` arrived."""

    def __init__(self, connection):
        self.connection = connection
        self.arrivals: dict[int, float] = {}

    async def read(self) -> None:
        try:
            async for text in self.connection:
                if not text.startswith(CREATED_PREFIX):
                    continue
                moment = time.perf_counter()
                # The id follows `"data":{"id":` right after the prefix.
                start = text.index('"id":') + 5
                booking = int(text[start : text.index(",", start)])
                self.arrivals[booking] = moment
        except websockets.ConnectionClosed:
            return


class Api:
    def __init__(self, base: str):
        self.base = base
        answer = requests.post(
            f"{base}/api/auth/users/login/",
            json={"email": CUSTOMER, "password": PASSWORD},
            timeout=10,
        )
        answer.raise_for_status()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {answer.json()['token']}"

    def get(self, path: str, **params) -> dict:
        answer = self.session.get(self.base + path, params=params, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def offer(self) -> tuple[int, int]:
        actors = self.get("/api/appointments/actors/")["results"]
        services = self.get("/api/appointments/services/")["results"]
        actor = next(a["id"] for a in actors if a["display_name"] == "Rafael Souza")
        service = next(s["id"] for s in services if s["name"] == "Corte de cabelo")
        return actor, service

    def free_starts(self, actor: int, service: int, count: int) -> list[str]:
        """Starts at least an hour apart, so each booking leaves the next
        one free."""
        day = datetime.fromisoformat(DEMO_NOW).date()
        slots = self.get(
            "/api/appointments/availability/",
            actor=actor,
            service=service,
            date_from=day.isoformat(),
            date_to=(day + timedelta(days=6)).isoformat(),
        )["slots"]
        starts, last = [], None
        for slot in slots:
            moment = datetime.fromisoformat(slot["start"])
            if last is None or moment - last >= timedelta(hours=1):
                starts.append(slot["start"])
                last = moment
            if len(starts) == count:
                return starts
        raise RuntimeError("not enough free slots for the rounds asked for")

    def book(self, actor: int, service: int, start: str) -> dict:
        answer = self.session.post(
            f"{self.base}/api/appointments/",
            json={"actor": actor, "service": service, "start": start},
            timeout=30,
        )
        if answer.status_code != 201:
            raise RuntimeError(f"booking failed: {answer.status_code} {answer.text}")
        return answer.json()


async def open_clients(server: LiveServer, tokens: list[str]) -> list[Client]:
    clients = []
    for first in range(0, len(tokens), CONNECT_BATCH):
        batch = tokens[first : first + CONNECT_BATCH]
        connections = await asyncio.gather(
            *(
                websockets.connect(
                    f"{server.ws_url}/ws/notifications/?token={token}",
                    origin=server.url,
                    max_queue=None,
                )
                for token in batch
            )
        )
        clients.extend(Client(connection) for connection in connections)
    return clients


async def one_round(api: Api, clients: list[Client], actor, service, start):
    sent = time.perf_counter()
    booking = await asyncio.to_thread(api.book, actor, service, start)
    answered = time.perf_counter()
    deadline = sent + ROUND_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        if all(booking["id"] in client.arrivals for client in clients):
            break
        await asyncio.sleep(0.01)
    missing = sum(booking["id"] not in client.arrivals for client in clients)
    arrivals = [
        client.arrivals[booking["id"]]
        for client in clients
        if booking["id"] in client.arrivals
    ]
    return sent, answered, arrivals, missing


async def run(
    server: LiveServer,
    api_server: LiveServer,
    tokens: list[str],
    rounds: int,
    pause: float,
) -> int:
    api = Api(api_server.url)
    actor, service = api.offer()
    starts = api.free_starts(actor, service, rounds + 1)

    opened = time.perf_counter()
    clients = await open_clients(server, tokens)
    readers = [asyncio.create_task(client.read()) for client in clients]
    print(f"{len(clients)} sockets open in {time.perf_counter() - opened:.1f} s")

    await one_round(api, clients, actor, service, starts[0])
    from_sent, from_answer, missing_total = [], [], 0
    for index, start in enumerate(starts[1:], 1):
        # The previous booking's other pushes (availability, notifications)
        # finish first, so each round measures one booking on its own.
        await asyncio.sleep(pause)
        sent, answered, arrivals, missing = await one_round(
            api, clients, actor, service, start
        )
        latencies = [(moment - sent) * 1000 for moment in arrivals]
        from_sent += latencies
        from_answer += [(moment - answered) * 1000 for moment in arrivals]
        missing_total += missing
        print(
            f"round {index}: POST answered in {(answered - sent) * 1000:.1f} ms; "
            + summary("events", latencies)
            + (f"; {missing} clients missed it" if missing else "")
        )

    for client in clients:
        await client.connection.close()
    await asyncio.gather(*readers)

    print(summary("from POST sent", from_sent))
    print(summary("from 201 received", from_answer))
    p99 = percentile(from_sent, 0.99)
    verdict = "met" if p99 < GOAL_P99_MS and not missing_total else "NOT met"
    print(f"goal p99 < {GOAL_P99_MS} ms from POST sent: {verdict}")
    return 0 if not missing_total else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--pause",
        type=float,
        default=1.0,
        help="seconds between a booking's answer and the next booking",
    )
    parser.add_argument("--redis", default=redis_url_for_tests())
    parser.add_argument(
        "--layer",
        default="",
        help="another channel layer backend to try (dotted path); default: "
        "the settings' channels_redis.core.RedisChannelLayer",
    )
    parser.add_argument(
        "--broker",
        action="store_true",
        help="hand Celery tasks to RabbitMQ (a throwaway vhost on "
        "TEST_BROKER_URL) as in production, instead of running them eagerly "
        "inside the booking request",
    )
    parser.add_argument(
        "--api-process",
        action="store_true",
        help="serve the booking API from a second daphne process, so the "
        "one holding the sockets only fans events out (the API and the "
        "sockets on separate workers, as DESIGN.md's serving section has it)",
    )
    parser.add_argument(
        "--log-dir", type=Path, help="keep daphne's log here (default: dropped)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-websocket-") as folder:
        database = Path(folder) / "db.sqlite3"
        prepared = time.perf_counter()
        tokens = prepare_database(database, staff=args.clients)["tokens"]
        print(
            f"database with {len(tokens)} managers ready in "
            f"{time.perf_counter() - prepared:.1f} s"
        )
        log_dir = args.log_dir or Path(folder)
        log_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            broker_url = ""
            if args.broker:
                os.environ.setdefault(
                    "DJANGO_SETTINGS_MODULE", "secretariaVirtual.settings"
                )
                from apps.notifications.tests.live_worker import Vhost

                broker_url = stack.enter_context(Vhost()).url
            server = stack.enter_context(
                LiveServer(
                    database,
                    redis_url=args.redis,
                    log_dir=log_dir,
                    layer=args.layer,
                    broker_url=broker_url,
                )
            )
            api_server = server
            if args.api_process:
                api_server = stack.enter_context(
                    LiveServer(
                        database,
                        redis_url=args.redis,
                        log_dir=log_dir / "api",
                        layer=args.layer,
                        broker_url=broker_url,
                        prefix=server.prefix,
                    )
                )
            layer = args.layer or "channels_redis.core.RedisChannelLayer"
            print(f"daphne at {server.url}, channel layer {layer} on {args.redis}")
            print(f"Celery: {'RabbitMQ (no worker)' if broker_url else 'eager'}")
            where = "a second daphne" if args.api_process else "the same process"
            print(f"API served by {where}")
            return asyncio.run(run(server, api_server, tokens, args.rounds, args.pause))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
