#!/usr/bin/env bash
# Set up (virtualenv, packages) and run the portal with demo data on SQLite in ./var.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/portal --data-dir "${PORTAL_DATA_DIR:-var}" demo "$@"
