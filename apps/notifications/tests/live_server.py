"""A real ASGI server (daphne) on 127.0.0.1 over a database of its own.

Shared by the live WebSocket tests, the dashboard's browser tests and
`benchmarks/bench_websocket.py`. The server is another process, so it reads
a SQLite file prepared for it (migrated, with the demo company) rather than
the test database of the process that starts it.

Run as a module it is that other process:

    python -m apps.notifications.tests.live_server prepare --database F [--now T]
    python -m apps.notifications.tests.live_server serve --database F --port P

`--now` moves the server's clock to a fixed moment that keeps ticking
(time-machine), so the demo calendar, "today" and "tomorrow" are the same
days on every run. With `--redis URL` the channel layer and the cache are
Redis under a key prefix of the run's own, so two runs on one Redis never
see each other's groups.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# A Tuesday morning in São Paulo: the demo's first working day after it
# (Wednesday) has appointments, and today still has free afternoon slots.
DEMO_NOW = "2027-03-09T08:00:00-03:00"
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_url_for_tests() -> str:
    return os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)


def _child_env(
    database: Path, log_dir: Path, redis_url: str | None, broker_url: str = ""
) -> dict:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    env.update(
        DJANGO_ENV_FILE=os.devnull,
        DJANGO_SETTINGS_MODULE="secretariaVirtual.settings",
        DATABASE_URL=f"sqlite:///{database}",
        LOG_DIR=str(log_dir),
        ENVIRONMENT=env.get("ENVIRONMENT", "test"),
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    return env


def prepare_database(
    database: Path, *, now: str | None = DEMO_NOW, staff: int = 0
) -> dict:
    """Migrate a fresh SQLite file and load the demo company into it.

    With `staff`, that many extra managers of the demo company are added,
    each with an API token; the answer lists them as `{"tokens": [...]}`.
    """
    database.parent.mkdir(parents=True, exist_ok=True)
    if database.exists():
        database.unlink()
    answer = database.with_suffix(".json")
    command = [
        sys.executable,
        "-m",
        "apps.notifications.tests.live_server",
        "prepare",
        "--database",
        str(database),
        "--staff",
        str(staff),
        "--answer",
        str(answer),
    ]
    if now:
        command += ["--now", now]
    subprocess.run(
        command,
        cwd=ROOT,
        env=_child_env(database, database.parent, None),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return json.loads(answer.read_text())


class LiveServer:
    """One daphne process on 127.0.0.1 serving the project's ASGI app."""

    def __init__(
        self,
        database: Path,
        *,
        redis_url: str | None = None,
        now: str | None = DEMO_NOW,
        log_dir: Path | None = None,
        layer: str = "",
        broker_url: str = "",
        prefix: str = "",
    ):
        self.database = database
        self.layer = layer
        self.broker_url = broker_url
        self.redis_url = redis_url
        self.now = now
        self.log_dir = log_dir or database.parent
        self.port = free_port()
        # Servers that share a prefix share the channel layer's groups.
        self.prefix = prefix or f"vs-live-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"daphne-{self.starts}.log"

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> "LiveServer":
        self.starts += 1
        self.log_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "apps.notifications.tests.live_server",
            "serve",
            "--database",
            str(self.database),
            "--port",
            str(self.port),
            "--prefix",
            self.prefix,
        ]
        if self.now:
            command += ["--now", self.now]
        if self.layer:
            command += ["--layer", self.layer]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=_child_env(
                    self.database, self.log_dir, self.redis_url, self.broker_url
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early:\n{self.log()}")
            if self._answers():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"daphne did not answer in {timeout}s:\n{self.log()}")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/health/", timeout=2) as reply:
                return reply.status == 200
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def restart(self) -> "LiveServer":
        self.stop()
        return self.start()

    def forget_redis_keys(self) -> None:
        """Delete this run's keys (groups, channels, cache) from Redis."""
        if not self.redis_url:
            return
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            keys = list(client.scan_iter(match=f"*{self.prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        self.forget_redis_keys()


def copy_database(template: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return target


# The server side: runs in the child process.


def _travel(now: str | None):
    if not now:
        return contextlib.nullcontext()
    import time_machine

    return time_machine.travel(datetime.fromisoformat(now), tick=True)


def _configure_for_run(prefix: str, layer: str) -> None:
    """Key prefixes of this run, set before Django builds its cache and layer;
    `layer` names another channel layer backend to try."""
    from django.conf import settings

    if settings.REDIS_URL:
        settings.CHANNEL_LAYERS["default"].setdefault("CONFIG", {})["prefix"] = prefix
        settings.CACHES["default"]["KEY_PREFIX"] = prefix
    if layer:
        settings.CHANNEL_LAYERS["default"]["BACKEND"] = layer


def _prepare(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    tokens = _add_staff(args.staff) if args.staff else []
    Path(args.answer).write_text(json.dumps({"tokens": tokens}))


def _add_staff(count: int) -> list[str]:
    """`count` managers of the demo company with tokens; no password, so
    no slow hashing."""
    from rest_framework.authtoken.models import Token

    from apps.accounts.models import User
    from apps.companies.management.commands.seed_demo import DEMO_COMPANY
    from apps.companies.models import Company, Membership, Role

    company = Company.objects.get(slug=DEMO_COMPANY["slug"])
    users = User.objects.bulk_create(
        User(email=f"staff{n}@bench.invalid", name=f"Staff {n}", password="!")
        for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=user, company=company, role=Role.MANAGER) for user in users
    )
    tokens = Token.objects.bulk_create(
        Token(user=user, key=secrets.token_hex(20)) for user in users
    )
    return [token.key for token in tokens]


def _serve(args) -> None:
    _configure_for_run(args.prefix, args.layer)
    from daphne.cli import CommandLineInterface

    CommandLineInterface().run(
        [
            "-b",
            "127.0.0.1",
            "-p",
            str(args.port),
            "--verbosity",
            "1",
            "secretariaVirtual.asgi:application",
        ]
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="live_server")
    parser.add_argument("action", choices=["prepare", "serve"])
    parser.add_argument("--database", required=True)
    parser.add_argument("--now", default="")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--prefix", default="vs-live")
    parser.add_argument("--staff", type=int, default=0)
    parser.add_argument("--answer", default=os.devnull)
    parser.add_argument("--layer", default="")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    with _travel(args.now):
        if args.action == "prepare":
            _prepare(args)
        else:
            _serve(args)


if __name__ == "__main__":
    main(sys.argv[1:])
