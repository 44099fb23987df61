#!/usr/bin/env bash
# Prepares a checkout to run: a virtual environment in .venv with the pinned
# requirements, and the compiled translations. Safe to run again: pip runs
# only when requirements.txt changed since the last successful install.
#
# PYTHON names the interpreter to build .venv with (default: python3.11,
# else python3 when it is 3.11 or newer).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
STAMP="$VENV/.requirements.sha256"

pick_python() {
    if [ -n "${PYTHON:-}" ]; then
        echo "$PYTHON"
        return
    fi
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    echo "setup: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
    exit 1
}

if [ ! -x "$VENV/bin/python" ]; then
    python="$(pick_python)"
    echo "setup: creating .venv with $("$python" --version 2>&1)"
    "$python" -m venv "$VENV"
fi

wanted="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$wanted" ]; then
    echo "setup: installing requirements.txt into .venv"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r requirements.txt
    echo "$wanted" >"$STAMP"
fi

# Translations are compiled here rather than committed; without gettext's
# msgfmt the project still runs, in English where a catalog is missing.
if command -v msgfmt >/dev/null 2>&1; then
    "$VENV/bin/python" manage.py compilemessages --ignore=.venv --ignore=node_modules \
        --verbosity=0
fi
