#!/usr/bin/env python
"""Benchmarks free-slot reads: the pure engine and the HTTP endpoint.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vs_bench \\
        .venv/bin/python benchmarks/bench_availability.py [--repeat 50]

DATABASE_URL names a PostgreSQL database that this script creates, migrates,
fills and drops at the end; it refuses to start if that database already
exists, so it never touches another. Default:
postgres://postgres@127.0.0.1:5432/vs_bench_availability.

The data: a company in São Paulo, one 30-minute service with buffers
(5 before, 10 after) offered by 20 actors. The first actor works long days
(06:00-12:00 and 12:30-24:00, every day) and has 2,000 appointments in the
next 30 days, a few free quarter-hours a day left between them; the other
19 work Monday to Saturday 09:00-12:00 and 13:00-19:00 with 100
appointments each. Every actor has a weekly recurring lunch block.

Printed medians (milliseconds) of:
- engine: `working_intervals` + `free_slots` over plain values already
  read, for the first actor over 30 days, and for all 20 actors over 1, 7
  and 30 days;
- selector: `selectors.availability`, the database reads and the engine;
- endpoint: GET /api/appointments/availability/ through Django's test
  client with a token, the whole request (middleware, authentication,
  queries, engine, JSON), for one actor over 30 days and for any actor over
  1, 7 and 30 days, with the number of queries of one request.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vs_bench_availability"
ACTORS = 20
BUSY_ACTOR_APPOINTMENTS = 2000
OTHER_ACTOR_APPOINTMENTS = 100
DAYS = 30
WARMUP = 3
# Goals of the scheduling issue, on the 2-core development machine.
ENGINE_GOAL_MS = 5
ENDPOINT_GOAL_MS = 50


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed runs each")
    parser.add_argument(
        "--appointments",
        type=int,
        default=BUSY_ACTOR_APPOINTMENTS,
        help="appointments of the first actor in the 30 days",
    )
    return parser.parse_args(argv)


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def maintenance_connection(url: str):
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"DATABASE_URL must be a PostgreSQL URL, not {parts.scheme}")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(maintenance, connect_timeout=5)
    connection.autocommit = True
    return connection


def create_database(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"Refusing to use the database {name!r}; name one for me.")
    connection = maintenance_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                raise SystemExit(
                    f"The database {name} already exists; this script only uses "
                    "a database it creates. Drop it or name another."
                )
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()
    return name


def drop_database(url: str, name: str) -> None:
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()
    connection = maintenance_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )
    finally:
        connection.close()


def setup_django(url: str) -> None:
    os.environ["DJANGO_ENV_FILE"] = os.devnull
    os.environ["DATABASE_URL"] = url
    # A deployment keeps its database connections; without this every
    # request would pay for a new PostgreSQL connection.
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretariaVirtual.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    # Django keeps every query's text while DEBUG is on; production does not.
    settings.DEBUG = False
    settings.LOGGING_CONFIG = None
    import logging

    logging.disable(logging.INFO)


def build(busy_appointments: int) -> dict:
    """The company, 20 actors, the service, hours, blocks and appointments."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from apps.accounts.models import User
    from apps.appointments.models import (
        Actor,
        ActorService,
        Appointment,
        Service,
        TimeBlock,
        WorkingHours,
    )
    from apps.companies.models import Company, Membership, Role

    call_command("migrate", interactive=False, verbosity=0)
    company = Company.objects.create(
        name="Bench Barbers", slug="bench-barbers", booking_horizon_days=60
    )
    tz = company.tzinfo
    customer = User.objects.create_user(
        email="customer@bench.invalid", password=None, name="Customer"
    )
    Membership.objects.create(user=customer, company=company, role=Role.CUSTOMER)
    token = Token.objects.create(user=customer)
    service = Service.objects.create(
        company=company,
        name="Cut",
        duration_minutes=30,
        price=Decimal("50.00"),
        buffer_before_minutes=5,
        buffer_after_minutes=10,
    )
    actors = []
    for number in range(ACTORS):
        user = User.objects.create_user(
            email=f"actor{number}@bench.invalid", password=None, name=f"Actor {number}"
        )
        Membership.objects.create(user=user, company=company, role=Role.ACTOR)
        actors.append(Actor.objects.get(user=user, company=company))
    ActorService.objects.bulk_create(
        ActorService(company=company, actor=actor, service=service) for actor in actors
    )

    busy_ranges = [(clock(6), clock(12)), (clock(12, 30), clock(0))]
    usual_ranges = [(clock(9), clock(12)), (clock(13), clock(19))]
    WorkingHours.objects.bulk_create(
        WorkingHours(
            company=company,
            actor=actor,
            weekday=weekday,
            start_time=start,
            end_time=end,
        )
        for index, actor in enumerate(actors)
        for weekday in range(7 if index == 0 else 6)
        for start, end in (busy_ranges if index == 0 else usual_ranges)
    )

    today = timezone.localtime(timezone.now(), tz).date()
    first_day = today + timedelta(days=1)
    TimeBlock.objects.bulk_create(
        TimeBlock(
            company=company,
            actor=actor,
            start=datetime.combine(first_day, clock(12), tzinfo=tz),
            end=datetime.combine(first_day, clock(12, 30), tzinfo=tz),
            reason="Lunch",
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        )
        for actor in actors[1:]
    )

    def visit(actor, start, minutes):
        return Appointment(
            company=company,
            actor=actor,
            service=service,
            customer=customer,
            start=start,
            end=start + timedelta(minutes=minutes),
            occupied_start=start,
            occupied_end=start + timedelta(minutes=minutes),
            status="confirmed",
            price_base=service.price,
            price_final=service.price,
            currency="BRL",
        )

    rows = []
    # The busy actor: 67 ten-minute visits a day back to back, 06:00-12:00
    # and 12:30-17:40; the evenings stay free.
    busy_starts = [
        datetime.combine(first_day + timedelta(days=day), begin, tzinfo=tz)
        + timedelta(minutes=10 * n)
        for day in range(DAYS)
        for begin, count in ((clock(6), 36), (clock(12, 30), 31))
        for n in range(count)
    ]
    if busy_appointments > len(busy_starts):
        raise SystemExit(
            f"At most {len(busy_starts)} appointments fit the first actor."
        )
    rows += [visit(actors[0], start, 10) for start in busy_starts[:busy_appointments]]
    # The others: 30-minute visits spread over their working days.
    for actor in actors[1:]:
        starts = [
            datetime.combine(first_day + timedelta(days=day), hour, tzinfo=tz)
            for day in range(DAYS)
            if (first_day + timedelta(days=day)).weekday() < 6
            for hour in (
                clock(9, 30),
                clock(10, 30),
                clock(14),
                clock(15, 30),
                clock(17),
            )
        ]
        rows += [visit(actor, start, 30) for start in starts[:OTHER_ACTOR_APPOINTMENTS]]
    Appointment.objects.bulk_create(rows, batch_size=2000)
    return {
        "company": company,
        "service": service,
        "actors": actors,
        "token": token.key,
        "first_day": first_day,
    }


def median_ms(run, repeat: int) -> float:
    for _ in range(WARMUP):
        run()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(data: dict, repeat: int) -> list[tuple[str, float, str]]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from apps.appointments import selectors
    from apps.appointments.availability import (
        WorkingRange,
        free_slots,
        working_intervals,
    )
    from apps.appointments.models import WorkingHours

    company, service, actors = data["company"], data["service"], data["actors"]
    first_day = data["first_day"]
    tz = company.tzinfo
    now = timezone.now()
    results = []

    offers = list(selectors.offers_for_service(service_id=service.id))

    ranges: dict[int, list[WorkingRange]] = {}
    for actor_id, weekday, start, end in WorkingHours.objects.values_list(
        "actor_id", "weekday", "start_time", "end_time"
    ):
        ranges.setdefault(actor_id, []).append(WorkingRange(weekday, start, end))

    def engine(offer_list, days):
        # The reads happen here, outside the timed function: only the pure
        # engine runs in `run`, over the plain values of the window.
        last = first_day + timedelta(days=days - 1)
        window_start, window_end = selectors.local_window(company, first_day, last)
        schedules = selectors.actor_schedules(
            company=company,
            actor_ids=[offer.actor_id for offer in offer_list],
            window_start=window_start,
            window_end=window_end,
        )

        def run():
            slots = 0
            for offer in offer_list:
                working = working_intervals(
                    ranges[offer.actor_id],
                    first_day - timedelta(days=2),
                    last + timedelta(days=2),
                    tz,
                )
                slots += len(
                    free_slots(
                        working=working,
                        busy=schedules[offer.actor_id].busy,
                        rules=selectors.slot_rules(company, offer),
                        now=now,
                        window_start=window_start,
                        window_end=window_end,
                        tz=tz,
                    )
                )
            return slots

        return run, schedules

    busy_offer = [offer for offer in offers if offer.actor_id == actors[0].id]
    one, one_schedules = engine(busy_offer, DAYS)
    results.append(
        (
            "engine, one actor, 30 days",
            median_ms(one, repeat),
            f"{len(one_schedules[actors[0].id].busy)} busy, {one()} slots",
        )
    )
    for days in (1, 7, DAYS):
        every, _schedules = engine(offers, days)
        results.append(
            (
                f"engine, any actor ({len(offers)}), {days} day"
                + ("s" if days > 1 else ""),
                median_ms(every, repeat),
                f"{every()} slots",
            )
        )

    def selector(offer_list, days):
        def run():
            return selectors.availability(
                company=company,
                offers=offer_list,
                date_from=first_day,
                date_to=first_day + timedelta(days=days - 1),
            )

        return run

    results.append(
        (
            "selector, one actor, 30 days",
            median_ms(selector(busy_offer, DAYS), repeat),
            "",
        )
    )
    results.append(
        (
            f"selector, any actor ({len(offers)}), 30 days",
            median_ms(selector(offers, DAYS), repeat),
            "",
        )
    )

    client = Client(HTTP_AUTHORIZATION=f"Token {data['token']}")

    def endpoint(days, actor=None):
        params = {
            "service": service.id,
            "date_from": first_day.isoformat(),
            "date_to": (first_day + timedelta(days=days - 1)).isoformat(),
        }
        if actor is not None:
            params["actor"] = actor.id

        def run():
            response = client.get("/api/appointments/availability/", params)
            if response.status_code != 200:
                raise SystemExit(f"availability answered {response.status_code}")
            return response

        return run

    cases = [
        ("endpoint, one actor, 30 days", endpoint(DAYS, actors[0])),
        (f"endpoint, any actor ({ACTORS}), 1 day", endpoint(1)),
        (f"endpoint, any actor ({ACTORS}), 7 days", endpoint(7)),
        (f"endpoint, any actor ({ACTORS}), 30 days", endpoint(DAYS)),
    ]
    queries: list[str] = []

    def count(execute, sql_text, params, many, context):
        queries.append(sql_text)
        return execute(sql_text, params, many, context)

    for label, run in cases:
        queries.clear()
        with connection.execute_wrapper(count):
            response = run()
        size = len(response.content)
        results.append(
            (
                label,
                median_ms(run, repeat),
                f"{len(queries)} queries, {size // 1024} KiB",
            )
        )
    return results


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    url = database_url()
    name = create_database(url)
    print(f"Database {name} created; it is dropped at the end.", flush=True)
    try:
        setup_django(url)
        started = time.perf_counter()
        data = build(args.appointments)
        print(
            f"Data: {ACTORS} actors, {args.appointments} appointments for the "
            f"first and {OTHER_ACTOR_APPOINTMENTS} for each other, from "
            f"{data['first_day']} ({time.perf_counter() - started:.1f}s to load). "
            f"Medians of {args.repeat} runs after {WARMUP} warm-up ones; "
            f"CONN_MAX_AGE={os.environ['DB_CONN_MAX_AGE']}.",
            flush=True,
        )
        for label, milliseconds, note in measure(data, args.repeat):
            goal = ""
            if label.startswith("engine"):
                goal = f"goal < {ENGINE_GOAL_MS} ms"
            elif label.startswith("endpoint"):
                goal = f"goal < {ENDPOINT_GOAL_MS} ms"
            print(f"{label:<38} {milliseconds:8.2f} ms  {goal:<14} {note}", flush=True)
    finally:
        drop_database(url, name)
        print(f"Database {name} dropped.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
