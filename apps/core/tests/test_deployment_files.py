"""The files users run the project with: compose, Dockerfile, README, scripts.

Docker does not run on these machines, so the compose file and Dockerfile
are checked for what they declare.
"""

import os
import re

import yaml
from django.conf import settings

BASE_DIR = settings.BASE_DIR


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_compose_declares_the_stack():
    services = compose()["services"]

    assert sorted(services) == [
        "celery",
        "celery_beat",
        "celery_high",
        "db",
        "rabbitmq",
        "redis",
        "web",
    ]


def test_compose_workers_consume_the_right_queues():
    services = compose()["services"]

    commands = {
        name: services[name]["command"]
        for name in ("celery", "celery_high", "celery_beat")
    }

    assert commands["celery"].startswith(
        "celery -A secretariaVirtual worker -Q high,low "
    )
    assert commands["celery_high"].startswith(
        "celery -A secretariaVirtual worker -Q high "
    )
    assert commands["celery_beat"].startswith("celery -A secretariaVirtual beat ")


def test_compose_points_the_application_at_the_services():
    services = compose()["services"]

    for name in ("web", "celery", "celery_high", "celery_beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://"), name
        assert environment["REDIS_URL"] == "redis://redis:6379/0", name
        assert environment["CELERY_BROKER_URL"] == (
            "amqp://guest:guest@rabbitmq:5672//"
        ), name
        assert services[name]["build"]["dockerfile"] == "docker/Dockerfile", name


def test_dockerfile_serves_the_asgi_application_with_daphne():
    dockerfile = (BASE_DIR / "docker" / "Dockerfile").read_text()

    assert dockerfile.startswith("# ") and "FROM python:3.11-slim" in dockerfile
    assert dockerfile.rstrip().endswith(
        'CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", '
        '"secretariaVirtual.asgi:application"]'
    )


def test_readme_quick_start_is_two_commands():
    readme = (BASE_DIR / "README.md").read_text()

    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.DOTALL)
    commands = [
        line
        for line in first_block.group(1).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]

    assert commands == ["bash scripts/serve.sh", "bash scripts/test.sh"]


def test_scripts_are_executable():
    paths = [
        ".ci/run",
        "scripts/setup.sh",
        "scripts/serve.sh",
        "scripts/test.sh",
        "scripts/test_postgres_connection.py",
        "run_tests.py",
        "manage.py",
    ]

    assert [p for p in paths if not os.access(BASE_DIR / p, os.X_OK)] == []
