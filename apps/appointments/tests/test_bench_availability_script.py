"""`benchmarks/bench_availability.py`: runs on a database of its own.

A short run (few appointments, one timed run each) checks that every figure
is printed and that the database is created and dropped; a database that
already exists is refused and left alone.
"""

import os
import re
import subprocess
import sys

import psycopg2
import pytest
from django.conf import settings

SCRIPT = str(settings.BASE_DIR / "benchmarks" / "bench_availability.py")

pytestmark = pytest.mark.postgres


def server_url() -> str:
    params = settings.DATABASES["default"]
    user = params.get("USER") or "postgres"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or "5432"
    return f"postgres://{user}@{host}:{port}"


def run_bench(database: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, SCRIPT, *args],
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"{server_url()}/{database}",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def database_exists(name: str) -> bool:
    connection = psycopg2.connect(f"{server_url()}/postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def on_server(statement: str) -> None:
    connection = psycopg2.connect(f"{server_url()}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def test_bench_availability_prints_every_figure_and_drops_its_database():
    name = f"vs_bench_test_{os.getpid()}"

    result = run_bench(name, "--repeat", "1", "--appointments", "60")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Database {name} created; it is dropped at the end."
    assert lines[1].startswith("Data: 20 actors, 60 appointments for the first")
    labels = [re.split(r"\s{2,}", line)[0] for line in lines[2:-1]]
    assert labels == [
        "engine, one actor, 30 days",
        "engine, any actor (20), 1 day",
        "engine, any actor (20), 7 days",
        "engine, any actor (20), 30 days",
        "selector, one actor, 30 days",
        "selector, any actor (20), 30 days",
        "endpoint, one actor, 30 days",
        "endpoint, any actor (20), 1 day",
        "endpoint, any actor (20), 7 days",
        "endpoint, any actor (20), 30 days",
    ]
    assert "60 busy" in lines[2]
    # The endpoint reads as many kinds of rows whatever the range and actors:
    # authentication (token, memberships), the service, offers, hours,
    # blocks and appointments.
    counts = {int(re.search(r"(\d+) queries", line).group(1)) for line in lines[8:12]}
    assert len(counts) == 1 and counts.pop() <= 9
    assert lines[-1] == f"Database {name} dropped."
    assert not database_exists(name)


def test_bench_availability_refuses_an_existing_database():
    name = f"vs_bench_existing_{os.getpid()}"
    on_server(f"CREATE DATABASE {name}")
    try:
        result = run_bench(name, "--repeat", "1")

        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"The database {name} already exists; this script only uses a "
            "database it creates. Drop it or name another.\n"
        )
        assert database_exists(name)
    finally:
        on_server(f"DROP DATABASE IF EXISTS {name}")
