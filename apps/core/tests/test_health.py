"""`/health/`: the database, the cache and, when configured, the broker."""

import json
import os
import subprocess
import sys

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import RequestFactory
from health_check.views import HealthCheckView

from apps.core.health import Broker

CLOSED_PORT_BROKER = "amqp://guest:guest@127.0.0.1:1//"


def check_broker(broker_url: str, settings_fixture):
    settings_fixture.CELERY_BROKER_URL = broker_url
    view = HealthCheckView.as_view(checks=["apps.core.health.Broker"])
    request = RequestFactory().get("/health/", HTTP_ACCEPT="application/json")
    # The library's view is asynchronous.
    return async_to_sync(view)(request)


def test_health_reports_database_and_cache(client, db):
    response = client.get("/health/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
    }


def test_health_needs_no_authentication(client, db):
    response = client.get("/health/?format=text")

    assert response.status_code == 200
    assert response.content.decode() == (
        "Database(alias='default'): OK\nCache(alias='default'): OK\n"
    )


def test_health_broker_check_fails_when_the_broker_is_down(settings, db):
    response = check_broker(CLOSED_PORT_BROKER, settings)

    assert response.status_code == 500
    assert json.loads(response.content) == {
        "Broker()": "Unavailable: Broker unavailable"
    }


@pytest.mark.rabbitmq
def test_health_broker_check_passes_with_rabbitmq(settings, db):
    broker = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")

    response = check_broker(broker, settings)

    assert response.status_code == 200
    assert json.loads(response.content) == {"Broker()": "OK"}


def test_health_checks_the_broker_only_when_one_is_configured(tmp_path):
    script = (
        "import django; django.setup(); "
        "from apps.core.health_urls import CHECKS; print(CHECKS)"
    )
    base_env = {
        "DJANGO_SETTINGS_MODULE": "secretariaVirtual.settings",
        "DJANGO_ENV_FILE": str(tmp_path / "no.env"),
        "LOG_DIR": str(tmp_path),
    }

    def checks(**env):
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=settings.BASE_DIR,
            env={**base_env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert checks() == ("['health_check.checks.Database', 'health_check.checks.Cache']")
    assert checks(CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//") == (
        "['health_check.checks.Database', 'health_check.checks.Cache', "
        "'apps.core.health.Broker']"
    )


def test_health_broker_repr_names_no_credentials():
    assert repr(Broker()) == "Broker()"
