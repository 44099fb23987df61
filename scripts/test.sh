#!/usr/bin/env bash
# Installs what is needed and runs the test suite:
#   scripts/test.sh                 SQLite (the embedded database)
#   scripts/test.sh postgres        PostgreSQL, Redis and RabbitMQ tests too
#   scripts/test.sh coverage        SQLite with a coverage report
#   scripts/test.sh pattern NAME    only tests whose name matches NAME
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
exec .venv/bin/python run_tests.py "$@"
