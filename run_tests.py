#!/usr/bin/env python
"""Runs the test suite.

    python run_tests.py               SQLite (the embedded database)
    python run_tests.py postgres      PostgreSQL, with the tests marked for it
    python run_tests.py coverage      SQLite, with a coverage report
    python run_tests.py pattern NAME  only tests whose name matches NAME

Extra arguments after the mode go to pytest.
"""

import os
import subprocess
import sys

SQLITE_ONLY = "not postgres and not rabbitmq and not redis"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/virtual_secretary"


def main(argv: list[str]) -> int:
    env = os.environ.copy()
    mode = argv[0] if argv else "sqlite"
    rest = argv[1:] if argv else []
    args = [sys.executable, "-m", "pytest"]

    if mode in ("sqlite", "coverage", "pattern"):
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env.pop("CELERY_BROKER_URL", None)
        args += ["-m", SQLITE_ONLY]
        if mode == "coverage":
            args += ["--cov=apps", "--cov-report=term-missing:skip-covered"]
        if mode == "pattern":
            if not rest:
                print("usage: run_tests.py pattern NAME", file=sys.stderr)
                return 2
            args += ["-k", rest.pop(0)]
    elif mode == "postgres":
        env["DATABASE_URL"] = env.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
        env.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        env.setdefault("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
    else:
        rest = argv
    args += rest

    print("$", " ".join(args), flush=True)
    return subprocess.call(args, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
