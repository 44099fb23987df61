"""`scripts/bench_notifications.py` on a small data set: figures, clean-up."""

import os
import re
import subprocess
import sys

import psycopg2
import pytest
from django.conf import settings

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

SCRIPT = str(settings.BASE_DIR / "scripts" / "bench_notifications.py")
SECONDS = r"[\d.]+ s"
RATE = r"[\d,]+/s"


def server_url() -> str:
    params = settings.DATABASES["default"]
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{params['USER'] or 'postgres'}{password}@{host}:{port}/postgres"


def test_bench_notifications_prints_every_figure_and_drops_its_database():
    result = subprocess.run(
        [sys.executable, SCRIPT, "--appointments", "500", "--sends", "20"],
        env={**os.environ, "BENCH_DATABASE_URL": server_url()},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    expected = [
        rf"database (vs_bench_notifications_\d+) migrated in {SECONDS}",
        r"data: 500 upcoming appointments, 1000 pending reminders, 12 actors, "
        rf"50 customers, 10 companies; built in {SECONDS}",
        r"scan, one beat tick: 1 reminders due, \d+ ms",
        r"scan, backlog: 499 due reminders claimed and handed over in "
        rf"{SECONDS} \({RATE}, 1 batch tasks\)",
        r"scan, rerun: 0 reminders, \d+ ms",
        r"batch tasks, one process: 500 reminders into 1500 outbox rows in "
        rf"{SECONDS} \([\d,]+ reminders/s\), their send tasks published",
        r"worker solo: 20 WhatsApp messages to the fake Twilio in "
        rf"{SECONDS} \({RATE}\), 20 rows sent; publishing took {SECONDS}",
        rf"worker prefork x{os.cpu_count()}: 20 WhatsApp messages to the fake "
        rf"Twilio in {SECONDS} \({RATE}\), 20 rows sent; publishing took {SECONDS}",
    ]
    assert len(lines) == len(expected), result.stdout
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)
    database = re.fullmatch(expected[0], lines[0]).group(1)
    with psycopg2.connect(server_url()) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", [database]
        )
        assert cursor.fetchone() == (0,)
