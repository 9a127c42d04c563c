#!/usr/bin/env bash
# Set up, then build the synthetic demo world (data set, contact sheet, station video) under data/demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec .venv/bin/liftwatch demo --out data/demo "$@"
