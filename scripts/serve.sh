#!/usr/bin/env bash
# Installs what is needed, migrates the database, creates the missing feature
# flags, loads the demo company and serves HTTP and WebSocket with daphne at
# http://127.0.0.1:8000.
# HOST and PORT change the address.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
.venv/bin/python manage.py migrate --noinput --verbosity=0
.venv/bin/python manage.py init_feature_flags --verbosity=0
.venv/bin/python manage.py seed_demo

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
echo "Serving at http://$HOST:$PORT/ (API docs /api/docs/, admin /admin/); Ctrl+C stops."
exec .venv/bin/daphne -b "$HOST" -p "$PORT" secretariaVirtual.asgi:application
