#!/usr/bin/env python
"""Runs the test suite.

    python run_tests.py               SQLite (the embedded database)
    python run_tests.py postgres      PostgreSQL, with the tests marked for it
    python run_tests.py coverage      SQLite, with a coverage report
    python run_tests.py pattern NAME  only tests whose name matches NAME

Extra arguments after the mode go to pytest (`python run_tests.py -x` or
`python run_tests.py apps/core` run SQLite with them). Runs are hermetic: a
developer's `.env` is not read, so the embedded defaults and the URLs set
here are what the tests see. `postgres` uses TEST_DATABASE_URL (default
below); pytest creates and drops its own `test_<name>` database there.
"""

import os
import subprocess
import sys

SQLITE_ONLY = "not postgres and not rabbitmq and not redis"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/virtual_secretary"
MODES = ("sqlite", "postgres", "coverage", "pattern")


def main(argv: list[str]) -> int:
    env = os.environ.copy()
    env["DJANGO_ENV_FILE"] = os.devnull
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    if argv and argv[0] in MODES:
        mode, rest = argv[0], argv[1:]
    else:
        mode, rest = "sqlite", list(argv)
    args = [sys.executable, "-m", "pytest"]

    if mode == "postgres":
        env["DATABASE_URL"] = env.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
        env.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        env.setdefault("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
    else:
        args += ["-m", SQLITE_ONLY]
    if mode == "coverage":
        args += ["--cov=apps", "--cov-report=term-missing:skip-covered"]
    if mode == "pattern":
        if not rest:
            print("usage: run_tests.py pattern NAME", file=sys.stderr)
            return 2
        args += ["-k", rest.pop(0)]
    args += rest

    print("$", " ".join(args), flush=True)
    return subprocess.call(args, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
