#!/usr/bin/env bash
# First command of the README: install into .venv, migrate SQLite, load demo data, serve on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
.venv/bin/comptoir migrate -v0
.venv/bin/comptoir demo
exec .venv/bin/comptoir run "$@"
