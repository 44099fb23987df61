#!/usr/bin/env python
"""Benchmarks the reminder scan and a worker's send rate on real services.

    .venv/bin/python scripts/bench_notifications.py [--appointments 100000]
        [--sends 1000]

PostgreSQL: a database of its own (`vs_bench_notifications_<pid>`) on the
server of BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
postgres), migrated, filled with bulk_create and dropped at the end.
RabbitMQ: a virtual host of its own on TEST_BROKER_URL, deleted at the end.
Twilio: the fake API from the tests, in this process. Nothing leaves
127.0.0.1.

1. The reminder scan over N upcoming appointments spread over ten companies
   (São Paulo and New York), each appointment with its 24-hour and 2-hour
   reminder rows: one beat tick with a minute's worth due, the backlog of
   every 24-hour reminder due at once (as after beat was down for a day),
   and a rerun that finds nothing left. The scan's send tasks go to
   RabbitMQ as in production.
2. A real `celery worker` draining M queued WhatsApp messages to the fake
   Twilio: solo pool, then prefork with one process per core.
"""

import argparse
import math
import os
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
COMPANIES = 10
# Ten appointments per customer, at most a thousand customers per company.
MAX_CUSTOMERS = 10_000
# Back-to-back 30-minute appointments from 2 h to 24 h ahead: 44 per actor,
# so every 24-hour reminder is due at the backlog scan and no 2-hour one is.
SLOT_MINUTES = 30
SLOTS_PER_ACTOR = 44
# Actors start at different minutes, so a beat tick finds a realistic few.
STAGGER_MINUTES = 28
INSERT_CHUNK = 5000
# Batch tasks run in this process to measure a worker's share of the work.
SAMPLE_BATCHES = 4
SEND_TIMEOUT_SECONDS = 600


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--sends", type=int, default=1000)
    return parser.parse_args()


def server_params() -> dict[str, str]:
    url = urlsplit(os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER_URL))
    return {
        "user": url.username or "postgres",
        "password": url.password or "",
        "host": url.hostname or "127.0.0.1",
        "port": str(url.port or 5432),
        "dbname": url.path.lstrip("/") or "postgres",
    }


def run_on_server(statement: sql.Composable) -> None:
    params = {key: value for key, value in server_params().items() if value}
    connection = psycopg2.connect(connect_timeout=5, **params)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def database_url(name: str) -> str:
    params = server_params()
    password = f":{params['password']}" if params["password"] else ""
    netloc = f"{params['user']}{password}@{params['host']}:{params['port']}"
    return urlunsplit(("postgres", netloc, "/" + name, "", ""))


def configure_django(url: str) -> None:
    # The embedded defaults plus this database: a developer's .env is not
    # read, every flag is on (development) and queries are not kept (DEBUG).
    os.environ.update(
        DJANGO_ENV_FILE=os.devnull,
        DJANGO_SETTINGS_MODULE="secretariaVirtual.settings",
        DATABASE_URL=url,
        DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        ENVIRONMENT="development",
        DJANGO_LOG_LEVEL="WARNING",
    )
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def chunks(items, size: int):
    for index in range(0, len(items), size):
        yield items[index : index + size]


def build(count: int, anchor) -> dict:
    """Companies, actors, customers, `count` appointments and their reminders."""
    from django.contrib.auth.hashers import make_password

    from apps.accounts.models import User
    from apps.appointments.models import Actor, Appointment, Service
    from apps.companies.models import Company, Membership, Role
    from apps.notifications.models import Reminder

    zones = [("America/Sao_Paulo", "pt-br"), ("America/New_York", "en")]
    companies = Company.objects.bulk_create(
        Company(
            name=f"Bench {index}",
            slug=f"bench-{index}",
            timezone=zones[index % 2][0],
            language=zones[index % 2][1],
            min_notice_minutes=0,
        )
        for index in range(COMPANIES)
    )
    services = Service.objects.bulk_create(
        Service(
            company=company,
            name="Haircut",
            duration_minutes=SLOT_MINUTES,
            price=Decimal("50.00"),
        )
        for company in companies
    )
    password = make_password(None)
    actor_count = math.ceil(count / SLOTS_PER_ACTOR)
    actor_users = User.objects.bulk_create(
        (
            User(
                email=f"actor{index}@bench.example.com",
                name=f"Actor {index}",
                password=password,
            )
            for index in range(actor_count)
        ),
        batch_size=INSERT_CHUNK,
    )
    customer_users = User.objects.bulk_create(
        (
            User(
                email=f"customer{index}@bench.example.com",
                name=f"Customer {index}",
                phone=f"+55119{80000000 + index}",
                language=zones[index % 2][1],
                password=password,
            )
            for index in range(max(COMPANIES, min(count // 10, MAX_CUSTOMERS)))
        ),
        batch_size=INSERT_CHUNK,
    )
    memberships = Membership.objects.bulk_create(
        [
            Membership(user=user, company=companies[index % COMPANIES], role=Role.ACTOR)
            for index, user in enumerate(actor_users)
        ]
        + [
            Membership(
                user=user, company=companies[index % COMPANIES], role=Role.CUSTOMER
            )
            for index, user in enumerate(customer_users)
        ],
        batch_size=INSERT_CHUNK,
    )
    actors = Actor.objects.bulk_create(
        (
            Actor(
                company_id=membership.company_id,
                user_id=membership.user_id,
                membership=membership,
                display_name=f"Actor {index}",
            )
            for index, membership in enumerate(memberships[:actor_count])
        ),
        batch_size=INSERT_CHUNK,
    )
    customers_of = {
        company.pk: customer_users[index::COMPANIES]
        for index, company in enumerate(companies)
    }

    first_start = anchor + timedelta(hours=2, minutes=1)
    slots = [
        (actor_index, slot)
        for slot in range(SLOTS_PER_ACTOR)
        for actor_index in range(actor_count)
    ][:count]
    for chunk in chunks(slots, INSERT_CHUNK):
        appointments = []
        for actor_index, slot in chunk:
            actor = actors[actor_index]
            start = first_start + timedelta(
                minutes=actor_index % STAGGER_MINUTES + slot * SLOT_MINUTES
            )
            end = start + timedelta(minutes=SLOT_MINUTES)
            company_customers = customers_of[actor.company_id]
            appointments.append(
                Appointment(
                    company_id=actor.company_id,
                    actor=actor,
                    service=services[actor_index % COMPANIES],
                    customer=company_customers[
                        (actor_index * SLOTS_PER_ACTOR + slot) % len(company_customers)
                    ],
                    start=start,
                    end=end,
                    occupied_start=start,
                    occupied_end=end,
                    status="confirmed",
                    price_base=Decimal("50.00"),
                    price_final=Decimal("50.00"),
                )
            )
        Appointment.objects.bulk_create(appointments)
        Reminder.objects.bulk_create(
            Reminder(
                company_id=appointment.company_id,
                appointment=appointment,
                offset_minutes=offset,
                due_at=appointment.start - timedelta(minutes=offset),
            )
            for appointment in appointments
            for offset in (24 * 60, 120)
        )
    return {
        "companies": len(companies),
        "actors": actor_count,
        "customers": len(customer_users),
        "first_due": first_start - timedelta(hours=24),
    }


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def bench_scan(count: int, vhost_url: str) -> None:
    from django.db import connection
    from django.utils import timezone

    from apps.notifications.models import Notification, Reminder
    from apps.notifications.services import reminders_send, reminders_send_due
    from apps.notifications.services.reminders import REMINDER_BATCH_SIZE
    from apps.notifications.tests.live_worker import publishing_to

    anchor = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    facts, seconds = timed(build, count, anchor)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    pending = Reminder.objects.filter(status="pending").count()
    print(
        f"data: {count} upcoming appointments, {pending} pending reminders, "
        f"{facts['actors']} actors, {facts['customers']} customers, "
        f"{facts['companies']} companies; built in {seconds:.1f} s"
    )

    with publishing_to(vhost_url):
        tick_at = facts["first_due"] + timedelta(seconds=59)
        claimed, seconds = timed(reminders_send_due, now=tick_at)
        print(f"scan, one beat tick: {claimed} reminders due, {seconds * 1000:.0f} ms")

        claimed, seconds = timed(reminders_send_due, now=anchor)
        tasks = math.ceil(claimed / REMINDER_BATCH_SIZE)
        print(
            f"scan, backlog: {claimed} due reminders claimed and handed over in "
            f"{seconds:.2f} s ({claimed / seconds:,.0f}/s, {tasks} batch tasks)"
        )

        claimed, seconds = timed(reminders_send_due, now=anchor)
        print(f"scan, rerun: {claimed} reminders, {seconds * 1000:.0f} ms")

        # What a worker does with each batch task, run here on a sample.
        queued = list(
            Reminder.objects.filter(status="queued")
            .order_by("pk")
            .values_list("pk", flat=True)[: SAMPLE_BATCHES * REMINDER_BATCH_SIZE]
        )
        started = time.perf_counter()
        sent = sum(
            reminders_send(reminder_ids=batch)
            for batch in chunks(queued, REMINDER_BATCH_SIZE)
        )
        seconds = time.perf_counter() - started
        rows = Notification.objects.filter(kind="appointment.reminder").count()
        print(
            f"batch tasks, one process: {sent} reminders into {rows} outbox rows "
            f"in {seconds:.1f} s ({sent / seconds:,.0f} reminders/s), their "
            "send tasks published"
        )


def bench_sends(count: int, vhost_url: str) -> None:
    from django.db import connection
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.notifications.models import Notification
    from apps.notifications.services import notifications_dispatch
    from apps.notifications.tests.fake_twilio import (
        ACCOUNT_SID,
        AUTH_TOKEN,
        FakeTwilio,
    )
    from apps.notifications.tests.live_worker import Worker, publishing_to

    def sent_rows(label: str) -> int:
        return Notification.objects.filter(
            key__startswith=f"bench:{label}:", status="sent"
        ).count()

    customer = User.objects.filter(phone__startswith="+55").order_by("pk").first()
    fake = FakeTwilio().start()
    params = connection.settings_dict
    env = {
        "DATABASE_URL": database_url(params["NAME"]),
        "CELERY_BROKER_URL": vhost_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_PHONE_NUMBER": "+14155550100",
        "TWILIO_API_URL": fake.url,
        "TWILIO_TIMEOUT_SECONDS": "5",
    }
    try:
        for label, pool in [
            ("solo", "solo"),
            (f"prefork x{os.cpu_count()}", "prefork"),
        ]:
            fake.reset()
            now = timezone.now()
            rows = Notification.objects.bulk_create(
                Notification(
                    key=f"bench:{label}:{index}",
                    company_id=customer.memberships.first().company_id,
                    recipient=customer,
                    channel="whatsapp",
                    kind="appointment.confirmed",
                    language="pt-br",
                    address=f"whatsapp:{customer.phone}",
                    title="Agendamento confirmado",
                    body=f"Mensagem {index} do teste de desempenho.",
                    next_attempt_at=now,
                )
                for index in range(count)
            )
            with publishing_to(vhost_url):
                _handed, publish_seconds = timed(
                    notifications_dispatch, [(row.pk, "whatsapp") for row in rows]
                )
            with tempfile.TemporaryDirectory(prefix="bench-worker-") as log_dir:
                worker = Worker(env, Path(log_dir), pool=pool).start()
                try:
                    started = time.perf_counter()
                    deadline = started + SEND_TIMEOUT_SECONDS
                    while time.perf_counter() < deadline and (sent_rows(label) < count):
                        time.sleep(0.05)
                    seconds = time.perf_counter() - started
                finally:
                    worker.stop()
            sent = sent_rows(label)
            delivered = len(fake.messages)
            print(
                f"worker {label}: {delivered} WhatsApp messages to the fake "
                f"Twilio in {seconds:.1f} s ({delivered / seconds:.0f}/s), "
                f"{sent} rows sent; publishing took {publish_seconds:.1f} s"
            )
    finally:
        fake.stop()


def main() -> int:
    args = parse_args()
    name = f"vs_bench_notifications_{os.getpid()}"
    run_on_server(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        configure_django(database_url(name))
        from django.core.management import call_command
        from django.db import connections

        from apps.notifications.tests.live_worker import Vhost

        _none, seconds = timed(call_command, "migrate", verbosity=0)
        print(f"database {name} migrated in {seconds:.1f} s")
        with Vhost() as vhost:
            bench_scan(args.appointments, vhost.url)
        if args.sends:
            with Vhost() as vhost:
                bench_sends(args.sends, vhost.url)
        connections.close_all()
    finally:
        run_on_server(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
