"""`scripts/test_postgres_connection.py`: version, btree_gist, exit code."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

SCRIPT = str(settings.BASE_DIR / "scripts" / "test_postgres_connection.py")


def run_script(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, SCRIPT],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_postgres_connection_script_fails_on_a_closed_port():
    result = run_script({"DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere"})

    assert result.returncode == 1
    assert result.stdout == "Connecting to postgres@127.0.0.1:1/nowhere\n"
    assert result.stderr.startswith(
        'FAILED: connection to server at "127.0.0.1", port 1 failed'
    )


def test_postgres_connection_script_refuses_another_engine():
    result = run_script({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"})

    assert result.returncode == 1
    assert result.stderr == (
        "FAILED: DATABASE_URL is not a PostgreSQL URL: django.db.backends.sqlite3\n"
    )


@pytest.mark.postgres
def test_postgres_connection_script_reports_version_and_btree_gist():
    url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
    ).rsplit("/", 1)[0]

    result = run_script({"DATABASE_URL": f"{url}/postgres"})

    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[1].startswith("Server: PostgreSQL ")
    assert lines[2].startswith("btree_gist: available")
    assert lines[3] == "OK"


@pytest.mark.postgres
def test_postgres_connection_script_reads_the_db_variables():
    result = run_script(
        {"DB_HOST": "127.0.0.1", "DB_PORT": "5432", "DB_USER": "postgres"}
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "Connecting to postgres@127.0.0.1:5432/postgres"
    )
