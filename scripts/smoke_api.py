#!/usr/bin/env python
"""Walks one booking through a running server with the demo logins.

    python scripts/smoke_api.py [BASE_URL] [--wait SECONDS]

BASE_URL defaults to $SMOKE_BASE_URL, else http://127.0.0.1:8000. The server
must hold the demo company (`manage.py seed_demo`); DEMO_PASSWORD is read
as the command reads it. The demo customer signs in, reads the free slots
of the service that needs approval, books the first one at least a day
ahead, the demo manager confirms it, the customer moves it to another free
slot and cancels it. Each step is printed; the first unexpected answer
stops the run with exit status 1. Only the standard library is used, so the
script runs from any checkout against any server.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_DEMO_PASSWORD = "Demo-Secretaria-2025"
DEMO_EMAIL_DOMAIN = "demo.virtualsecretary.local"
CUSTOMER_EMAIL = f"customer@{DEMO_EMAIL_DOMAIN}"
MANAGER_EMAIL = f"manager@{DEMO_EMAIL_DOMAIN}"
REQUEST_TIMEOUT_SECONDS = 30
# Slots are searched this many days from tomorrow (the demo's holiday and a
# Sunday fit in it with days to spare).
SEARCH_DAYS = 14


class SmokeFailure(Exception):
    """An answer the walk-through did not expect."""


class Client:
    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body=None, headers=None):
        """Send one request; returns (status, parsed JSON body or None)."""
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
        )
        request.add_header("Accept", "application/json")
        request.add_header("Accept-Language", "en")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(
                request, timeout=REQUEST_TIMEOUT_SECONDS
            ) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")[:500]
        return status, payload

    def expect(self, status: int, method: str, path: str, body=None, headers=None):
        answer_status, payload = self.call(method, path, body, headers)
        if answer_status != status:
            raise SmokeFailure(
                f"{method} {path} answered {answer_status}, expected {status}: "
                f"{json.dumps(payload, ensure_ascii=False)}"
            )
        return payload


def step(number: int, text: str) -> None:
    print(f"{number:>2}. {text}", flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def wait_for_server(base_url: str, seconds: float) -> None:
    """Poll /health/ until it answers 200 or `seconds` pass."""
    deadline = time.monotonic() + seconds
    client = Client(base_url)
    while True:
        try:
            status, _payload = client.call("GET", "/health/?format=json")
            if status == 200:
                return
        except OSError:
            pass
        if time.monotonic() >= deadline:
            raise SmokeFailure(f"{base_url} did not answer within {seconds:.0f}s")
        time.sleep(0.5)


def login(base_url: str, email: str, password: str) -> Client:
    payload = Client(base_url).expect(
        200, "POST", "/api/auth/users/login/", {"email": email, "password": password}
    )
    return Client(base_url, payload["token"])


def slots_of(
    client: Client, service: int, actor: int, date_from: str, date_to: str
) -> list[str]:
    payload = client.expect(
        200,
        "GET",
        f"/api/appointments/availability/?service={service}&actor={actor}"
        f"&date_from={date_from}&date_to={date_to}",
    )
    return [slot["start"] for slot in payload["slots"]]


def walk(base_url: str, password: str) -> None:
    customer = login(base_url, CUSTOMER_EMAIL, password)
    step(1, f"signed in as the demo customer {CUSTOMER_EMAIL}")
    manager = login(base_url, MANAGER_EMAIL, password)
    step(2, f"signed in as the demo manager {MANAGER_EMAIL}")

    me = customer.expect(200, "GET", "/api/auth/users/me/")
    company_id = me["memberships"][0]["company"]["id"]
    company = customer.expect(200, "GET", f"/api/companies/{company_id}/")
    tz = ZoneInfo(company["timezone"])
    services = customer.expect(
        200, "GET", f"/api/appointments/services/?company={company_id}"
    )["results"]
    service = next((s for s in services if s["requires_approval"]), None)
    check(service is not None, "no service of the demo company needs approval")
    step(
        3,
        f"company {company['name']} ({company['timezone']}); service "
        f"{service['name']!r} needs approval",
    )

    tomorrow = (datetime.now(tz) + timedelta(days=1)).date()
    last_day = tomorrow + timedelta(days=SEARCH_DAYS - 1)
    availability = customer.expect(
        200,
        "GET",
        f"/api/appointments/availability/?service={service['id']}"
        f"&date_from={tomorrow}&date_to={last_day}",
    )
    offered = [entry for entry in availability["actors"] if len(entry["slots"]) >= 2]
    check(offered, f"no actor has two free slots of {service['name']!r}")
    actor = offered[0]
    # The customer cancels at the end, so the slot must lie beyond the
    # company's cancellation notice.
    earliest = datetime.now(tz) + timedelta(
        minutes=company["cancellation_notice_minutes"] + 60
    )
    free = [
        slot["start"]
        for slot in actor["slots"]
        if datetime.fromisoformat(slot["start"]) >= earliest
    ]
    check(len(free) >= 2, "fewer than two slots beyond the cancellation notice")
    first = free[0]
    step(
        4,
        f"availability {tomorrow}..{last_day}: {len(availability['actors'])} "
        f"actor(s); {actor['display_name']} has {len(actor['slots'])} free slots, "
        f"first {first}",
    )

    key = f"smoke-{uuid.uuid4()}"
    booking = {"actor": actor["actor"], "service": service["id"], "start": first}
    appointment = customer.expect(
        201, "POST", "/api/appointments/", booking, {"Idempotency-Key": key}
    )
    check(
        appointment["status"] == "pending" and appointment["start"] == first,
        f"the booking came back {appointment['status']} at {appointment['start']}",
    )
    replay = customer.expect(
        201, "POST", "/api/appointments/", booking, {"Idempotency-Key": key}
    )
    check(
        replay["id"] == appointment["id"],
        "the same Idempotency-Key created a second appointment",
    )
    url = f"/api/appointments/{appointment['id']}/"
    step(
        5,
        f"booked appointment {appointment['id']} at {first}: pending, "
        f"{appointment['price']['final']} {appointment['price']['currency']}; "
        "the retry with the same Idempotency-Key returned it again",
    )

    day = first[:10]
    check(
        first not in slots_of(customer, service["id"], actor["actor"], day, day),
        f"{first} is still offered after booking it",
    )
    step(6, f"{first} is no longer offered")

    confirmed = manager.expect(200, "POST", f"{url}confirm/", {})
    check(confirmed["status"] == "confirmed", f"confirm gave {confirmed['status']}")
    step(7, "the manager confirmed it")

    later = [
        start
        for start in slots_of(
            customer, service["id"], actor["actor"], str(tomorrow), str(last_day)
        )
        if datetime.fromisoformat(start) > datetime.fromisoformat(first)
    ]
    check(bool(later), "no later free slot to reschedule to")
    moved = customer.expect(200, "POST", f"{url}reschedule/", {"start": later[-1]})
    check(
        (moved["start"], moved["status"]) == (later[-1], "confirmed"),
        f"reschedule gave {moved['status']} at {moved['start']}",
    )
    step(8, f"the customer moved it to {later[-1]}")

    cancelled = customer.expect(200, "POST", f"{url}cancel/", {"reason": "smoke"})
    check(cancelled["status"] == "cancelled", f"cancel gave {cancelled['status']}")
    history = customer.expect(200, "GET", f"{url}history/")
    # A new appointment's first row has no `from_status` (null).
    transitions = [(row["from_status"] or "", row["to_status"]) for row in history]
    check(
        transitions
        == [
            ("", "pending"),
            ("pending", "confirmed"),
            ("confirmed", "confirmed"),
            ("confirmed", "cancelled"),
        ],
        f"unexpected history {transitions}",
    )
    new_day = later[-1][:10]
    check(
        later[-1]
        in slots_of(customer, service["id"], actor["actor"], new_day, new_day),
        f"{later[-1]} is not offered again after the cancellation",
    )
    step(9, "the customer cancelled it; its slot is free again and the history is")
    for from_status, to_status in transitions:
        print(f"      {from_status or '(new)'} -> {to_status}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "base_url",
        nargs="?",
        default=os.environ.get("SMOKE_BASE_URL") or DEFAULT_BASE_URL,
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait up to this long for /health/ to answer first",
    )
    args = parser.parse_args(argv)
    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD

    print(f"Smoke test of {args.base_url}", flush=True)
    try:
        if args.wait:
            wait_for_server(args.base_url, args.wait)
        walk(args.base_url, password)
    except SmokeFailure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    except (OSError, KeyError, TypeError, ValueError) as error:
        print(f"FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
