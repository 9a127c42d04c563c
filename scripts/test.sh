#!/usr/bin/env bash
# Set up, then ruff, mypy and pytest (extra args go to pytest); fails on any failure, and when no tests ran.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

echo "==> ruff check ."
ruff check .
echo "==> mypy"
mypy
echo "==> pytest"
rc=0
python -m pytest -q "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "test.sh: FAILED: pytest collected no tests (exit 5); a CI run that tests nothing must not pass" >&2
fi
exit "$rc"
