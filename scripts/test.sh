#!/usr/bin/env bash
# Set up and run the whole test suite: lint, pytest (SQLite, and PostgreSQL/Redis on
# 127.0.0.1 when they answer) and the e2e tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

# In CI, PostgreSQL and Redis are part of the run (tests/conftest.py fails without them);
# a machine that starts them beside the tests gets a moment for them to answer, then a
# clear line naming the one that did not.
if [ "${CI:-}" = "true" ]; then
  .venv/bin/python -m tests.services --wait "${PORTAL_TEST_SERVICES_WAIT:-20}"
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium (Playwright cannot download its own browser here)..."
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# ClamAV's daemon for the upload scanning tests (tests/clamd.py starts its own clamd with
# a test signature; the package's own services are stopped: signatures cannot be fetched).
if ! command -v clamd >/dev/null && [ ! -x /usr/sbin/clamd ]; then
  echo "Installing Debian's clamav-daemon..."
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clamav-daemon >/dev/null
  $SUDO service clamav-freshclam stop >/dev/null 2>&1 || true
  $SUDO service clamav-daemon stop >/dev/null 2>&1 || true
fi
command -v java >/dev/null || {
  echo "Installing Java for the Nu Html Checker..."
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
}

.venv/bin/ruff check .
# The layers of docs/ARCHITECTURE.md: no import points up, no cycle, public faces only.
.venv/bin/lint-imports
# Two workers (the machine has two cores); a test file stays on one worker.
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
