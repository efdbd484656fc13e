#!/usr/bin/env bash
# Second command of the README: install the test tools (Chromium from Debian where missing), then
# lint, check migrations and run every test. Extra arguments go to pytest.
# COMPTOIR_DATABASE_URL=postgres://... runs the same suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
export COMPTOIR_TESTING=1
export COMPTOIR_DATA_DIR="${COMPTOIR_DATA_DIR:-$(mktemp -d)}"
export COMPTOIR_SECRET_KEY="${COMPTOIR_SECRET_KEY:-test-only-secret-key-not-for-production}"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/comptoir makemigrations --check --dry-run
.venv/bin/pytest "$@"
