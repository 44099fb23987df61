"""The dashboard in headless Chromium against a live daphne server.

Debian's `chromium` is driven by Playwright with its executable path set,
so no browser is downloaded. The server runs in its own process on the demo
company with its clock at Tuesday 2027-03-09 08:00 in São Paulo (ticking),
over the in-memory channel layer of that one process. Screenshots go to
`test-output/<test name>/`.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright

from apps.notifications.tests.live_server import (
    LiveServer,
    copy_database,
    prepare_database,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "Demo-Secretaria-2025"
MANAGER = "manager@demo.virtualsecretary.local"
CUSTOMER = "customer@demo.virtualsecretary.local"
TODAY = "2027-03-09"
TOMORROW = "2027-03-10"
# How long a pushed change may take to show on the page.
LIVE_TIMEOUT_MS = 2000


@pytest.fixture(scope="module")
def daphne_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dashboard-live")
    template = folder / "template.sqlite3"
    prepare_database(template)
    server = LiveServer(copy_database(template, folder / "db.sqlite3"))
    with server:
        yield server


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="pt-BR", viewport={"width": 1440, "height": 960}
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def output_dir(request) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder = ROOT / "test-output" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


class Api:
    """The REST API as a signed-in client of the live server."""

    def __init__(self, server: LiveServer, email: str):
        self.base = server.url
        answer = requests.post(
            f"{self.base}/api/auth/users/login/",
            json={"email": email, "password": PASSWORD},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        self.headers = {"Authorization": f"Token {answer.json()['token']}"}

    def get(self, path: str, **params) -> dict:
        answer = requests.get(
            self.base + path, params=params, headers=self.headers, timeout=10
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, path: str, body: dict) -> dict:
        answer = requests.post(
            self.base + path, json=body, headers=self.headers, timeout=10
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def ids_by_name(self, path: str, key: str) -> dict[str, int]:
        return {row[key]: row["id"] for row in self.get(path, page_size=200)["results"]}


def sign_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(server.url + "/dashboard/")
    expect(page).to_have_url(re.compile(r"/dashboard/login/\?next=/dashboard/$"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()


def wait_live(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-connection", "live")


def book_colouring(customer: Api, manager: Api, start: str) -> dict:
    """The demo customer asks Diego for a colouring, which needs approval."""
    actors = manager.ids_by_name("/api/appointments/actors/", "display_name")
    services = manager.ids_by_name("/api/appointments/services/", "name")
    return customer.post(
        "/api/appointments/",
        {
            "actor": actors["Diego Ferreira"],
            "service": services["Coloração"],
            "start": start,
        },
    )


def test_dashboard_day_in_chromium(page, daphne_server, output_dir):
    manager = Api(daphne_server, MANAGER)
    customer = Api(daphne_server, CUSTOMER)

    # Sign in and see the demo day.
    sign_in(page, daphne_server, MANAGER)
    expect(page).to_have_url(daphne_server.url + "/dashboard/")
    wait_live(page)
    tomorrow = page.locator(f'.day[data-date="{TOMORROW}"]')
    expect(tomorrow.locator("h2")).to_have_text("Amanhã · quarta-feira, 10 de março")
    expected = [
        row
        for row in manager.get(
            "/api/appointments/", date_from=TOMORROW, date_to=TOMORROW
        )["results"]
        if row["status"] in ("pending", "confirmed")
    ]
    assert len(expected) == 4
    expect(tomorrow.locator(".appt")).to_have_count(4)
    for row in expected:
        block = tomorrow.locator(f'.row[data-actor="{row["actor"]}"] .appt')
        block = block.filter(has_text=row["start"][11:16])
        expect(block).to_have_attribute("data-status", row["status"])
    expect(page.locator(f'.day[data-date="{TODAY}"] .appt')).to_have_count(0)
    page.screenshot(path=output_dir / "demo-day-pt-br.png", full_page=True)

    # Confirm the first pending request with a click.
    request = page.locator("#pending-list li").first
    request_id = int(request.get_attribute("data-id"))
    assert manager.get(f"/api/appointments/{request_id}/")["status"] == "pending"
    pending_before = page.locator("#pending-list li").count()
    request.get_by_role("button", name="Confirmar").click()
    expect(page.locator("#toast")).to_have_text("Agendamento confirmado.")
    expect(page.locator(f'#pending-list li[data-id="{request_id}"]')).to_have_count(0)
    expect(page.locator("#pending-list li")).to_have_count(pending_before - 1)
    expect(page.locator(f'.appt[data-id="{request_id}"]')).to_have_attribute(
        "data-status", "confirmed"
    )
    assert manager.get(f"/api/appointments/{request_id}/")["status"] == "confirmed"

    # A booking made through the API shows up without a reload.
    page.evaluate("window.stillTheSamePage = true")
    unread_before = int(page.locator("#unread-count").inner_text())
    booked = book_colouring(customer, manager, f"{TODAY}T15:00")
    today = page.locator(f'.day[data-date="{TODAY}"]')
    today_block = today.locator(f'.appt[data-id="{booked["id"]}"]')
    expect(today_block).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(today_block).to_have_attribute("data-status", "pending")
    expect(today_block).to_contain_text("15:00 Carla Mendes")
    expect(page.locator(f'#pending-list li[data-id="{booked["id"]}"]')).to_be_visible()
    unread = manager.get("/api/notifications/", unread="true")["count"]
    assert unread == unread_before + 1
    expect(page.locator("#unread-count")).to_have_text(str(unread))
    expect(page.locator("#notification-list li.unread").first).to_contain_text(
        "Carla Mendes"
    )
    assert page.evaluate("window.stillTheSamePage") is True

    # The server restarts; the page reconnects and stays live.
    daphne_server.restart()
    wait_live(page)
    again = book_colouring(customer, manager, f"{TODAY}T17:00")
    expect(
        page.locator(f'.day[data-date="{TODAY}"] .appt[data-id="{again["id"]}"]')
    ).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    assert page.evaluate("window.stillTheSamePage") is True

    # Switch to English.
    page.get_by_role("button", name="English").click()
    wait_live(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#pending-title")).to_contain_text("Pending requests")
    expect(page.locator(f'.day[data-date="{TODAY}"] h2')).to_have_text(
        "Today · Tuesday, March 9"
    )
    expect(page.locator("#connection")).to_have_text("Live")
    expect(page.locator(f'.appt[data-id="{again["id"]}"]')).to_be_visible()
    page.screenshot(path=output_dir / "dashboard-en.png", full_page=True)


def test_customer_lands_on_own_appointments_in_chromium(page, daphne_server):
    sign_in(page, daphne_server, CUSTOMER)

    expect(page).to_have_url(daphne_server.url + "/dashboard/my-appointments/")
    expect(page.locator("h1")).to_have_text("Meus agendamentos")
    expect(page.locator("tr[data-appointment]").first).to_be_visible()
    assert page.locator("#pending-list").count() == 0
