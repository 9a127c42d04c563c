#!/usr/bin/env bash
# The live demo: set up, then serve three synthetic boarding stations (filmed on the first run,
# about three minutes on 2 cores), their alarms and the dashboard on http://127.0.0.1:8080/.
# Extra arguments go to `liftwatch serve` (e.g. --port 8081, --duration 60). Ctrl-C stops.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec .venv/bin/liftwatch serve --demo --data-dir data/demo-live "$@"
