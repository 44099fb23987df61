"""`scripts/smoke_api.py` against a live server holding the demo company.

The server is pytest-django's `live_server` (a thread of this process over
the test database, so the data is committed: `transaction=True`); the script
runs in a process of its own, as CI runs it.
"""

import socket
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.appointments.models import Appointment, AppointmentHistory

SCRIPT = str(settings.BASE_DIR / "scripts" / "smoke_api.py")

pytestmark = pytest.mark.django_db(
    transaction=True, available_apps=settings.INSTALLED_APPS
)


def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, SCRIPT, *args],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_smoke_api_walks_a_booking_through_the_demo(live_server):
    call_command("seed_demo", stdout=StringIO())
    before = set(Appointment.objects.values_list("id", flat=True))

    result = run_script(live_server.url, "--wait", "30")

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Smoke test of {live_server.url}"
    assert [line.split(".")[0].strip() for line in lines[1:10]] == [
        str(n) for n in range(1, 10)
    ]
    assert lines[-5:] == [
        "      (new) -> pending",
        "      pending -> confirmed",
        "      confirmed -> confirmed",
        "      confirmed -> cancelled",
        "OK",
    ]
    assert result.stderr == ""
    (created,) = Appointment.objects.exclude(id__in=before)
    assert (created.status, created.service.name_en, created.customer.email) == (
        "cancelled",
        "Hair colouring",
        "customer@demo.virtualsecretary.local",
    )
    assert list(
        AppointmentHistory.objects.filter(appointment=created)
        .order_by("at", "id")
        .values_list("from_status", "to_status", "by__email")
    ) == [
        ("", "pending", "customer@demo.virtualsecretary.local"),
        ("pending", "confirmed", "manager@demo.virtualsecretary.local"),
        ("confirmed", "confirmed", "customer@demo.virtualsecretary.local"),
        ("confirmed", "cancelled", "customer@demo.virtualsecretary.local"),
    ]


def test_smoke_api_fails_without_the_demo_company(live_server):
    result = run_script(live_server.url)

    assert result.returncode == 1
    assert result.stdout == f"Smoke test of {live_server.url}\n"
    assert result.stderr.startswith(
        "FAILED: POST /api/auth/users/login/ answered 400, expected 200: "
    )
    assert '"code": "invalid_credentials"' in result.stderr
    assert Appointment.objects.count() == 0


def test_smoke_api_fails_when_no_server_answers():
    url = f"http://127.0.0.1:{closed_port()}"

    result = run_script(url, "--wait", "1")

    assert result.returncode == 1
    assert result.stderr == f"FAILED: {url} did not answer within 1s\n"
