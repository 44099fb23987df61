"""A real RabbitMQ virtual host and a real `celery worker` process.

Shared by the worker tests and `scripts/bench_notifications.py`. A vhost of
its own per run keeps the messages of other engineers' runs apart; it is
deleted at the end, which also drops whatever was left in it.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from secretariaVirtual.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
# The worker's event loop looks at a stop signal only when it wakes, and with
# nothing due it sleeps up to ten seconds; an AMQP heartbeat of a few seconds
# wakes it every half heartbeat. Every send here ends within the Twilio
# timeout, far inside the two missed heartbeats RabbitMQ allows.
WORKER_HEARTBEAT_SECONDS = 4
# Celery's line for a finished task: `Task <module>.<name>[<id>] succeeded in
# <seconds>s: <repr of the result>`.
TASK_SUCCEEDED = re.compile(
    r"Task [\w.]*\.(\w+)\[[\w-]+\] succeeded in [\d.]+s: '?([^'\n]*)'?$",
    re.MULTILINE,
)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


class Vhost:
    """A fresh RabbitMQ virtual host for one test module or benchmark run."""

    def __init__(self, base_url: str | None = None):
        self.name = f"vs-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        base = urlsplit(
            base_url or os.environ.get("TEST_BROKER_URL", DEFAULT_BROKER_URL)
        )
        self.url = urlunsplit((base.scheme, base.netloc, "/" + self.name, "", ""))
        self.user = base.username or "guest"

    def __enter__(self) -> "Vhost":
        rabbitmqctl("add_vhost", self.name)
        rabbitmqctl("set_permissions", "-p", self.name, self.user, ".*", ".*", ".*")
        return self

    def __exit__(self, *exc) -> None:
        rabbitmqctl("delete_vhost", self.name)


def database_url() -> str:
    """The URL of the database this process uses now (the test database)."""
    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


class Worker:
    """`celery worker` on both queues; by default the solo pool.

    The solo pool runs one task at a time in the worker's own process, so a
    SIGKILL stops a send half-way, as a crashed machine would. `env` must
    hold `CELERY_BROKER_URL`; logs go to `log_dir`, one file per start.
    """

    def __init__(self, env: dict[str, str], log_dir: Path, pool: str = "solo"):
        broker = env["CELERY_BROKER_URL"]
        self.env = {
            **os.environ,
            **env,
            "CELERY_BROKER_URL": f"{broker}?heartbeat={WORKER_HEARTBEAT_SECONDS}",
        }
        self.log_dir = log_dir
        self.pool = pool
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self.log_mark = 0
        self.starts = 0

    def start(self, timeout: float = 60) -> "Worker":
        self.starts += 1
        self.log_path = self.log_dir / f"worker-{self.starts}.log"
        self.log_mark = 0
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "secretariaVirtual",
                    "worker",
                    "-Q",
                    "high,low",
                    f"--pool={self.pool}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-n",
                    f"test-{os.getpid()}-{self.starts}@%h",
                    "-l",
                    "INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log()}")
            if " ready." in self.log():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"worker not ready in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        """What this start logged since the last `mark()`."""
        if not self.log_path:
            return ""
        return self.log_path.read_text()[self.log_mark :]

    def mark(self) -> None:
        """Make `log()` and `outcomes()` begin at what comes next."""
        self.log_mark += len(self.log())

    def outcomes(self, task: str) -> list[str]:
        """What each run of `task` (its short name) returned, in log order."""
        return [
            outcome
            for name, outcome in TASK_SUCCEEDED.findall(self.log())
            if name == task
        ]

    def kill(self) -> None:
        """SIGKILL: no goodbye to the broker, unacknowledged tasks return."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Cold shutdown: the task in hand is abandoned, not waited for."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def publishing_to(broker_url: str):
    """Make this process publish tasks to `broker_url` instead of running them."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = broker_url, False
    _drop_connections()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _drop_connections()


def _drop_connections() -> None:
    # Celery keeps a connection pool and a producer pool built from the
    # broker URL it first saw; both must go for a new URL to take effect.
    # kombu's registry of producer pools is keyed by URL, so a pool dropped
    # here is found again, still open, when its URL comes back.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def wait_until(predicate, timeout: float = 20, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
