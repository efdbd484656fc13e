#!/usr/bin/env bash
# Second command of the README: install the test tools (Chromium and Dovecot from Debian where
# missing), then lint, check migrations and run every test. Extra arguments go to pytest.
# COMPTOIR_DATABASE_URL=postgres://... runs the same suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
# Real peers for the tests: Chromium for the browser tests, Dovecot for the IMAP poller.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  # The package starts a system-wide Dovecot; the tests run their own on a free port.
  $SUDO systemctl stop dovecot >/dev/null 2>&1 || $SUDO service dovecot stop >/dev/null 2>&1 || true
fi
export COMPTOIR_TESTING=1
export COMPTOIR_DATA_DIR="${COMPTOIR_DATA_DIR:-$(mktemp -d)}"
export COMPTOIR_SECRET_KEY="${COMPTOIR_SECRET_KEY:-test-only-secret-key-not-for-production}"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# The architecture, enforced (docs/architecture.md): import contracts and the domain's types,
# both configured in pyproject.toml.
.venv/bin/lint-imports
.venv/bin/mypy
.venv/bin/comptoir makemigrations --check --dry-run
.venv/bin/pytest "$@"
