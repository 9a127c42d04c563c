#!/usr/bin/env bash
# Idempotent dev set-up: .venv with the local CPU torch 2.13 first, then liftwatch[dev] when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -x .venv/bin/python ]; then
    py=$(command -v python3.11 || command -v python3)
    echo "setup: creating .venv with $py"
    "$py" -m venv .venv
fi

# Installed metadata, not `import torch` (2+ s): torch must be importable and 2.13.x.
if ! .venv/bin/python - <<'PY'
import importlib.metadata as md, importlib.util as iu, sys
try:
    ok = iu.find_spec("torch") is not None and md.version("torch").startswith("2.13.")
except md.PackageNotFoundError:
    ok = False
sys.exit(0 if ok else 1)
PY
then
    echo "setup: installing torch==2.13.0 (local CPU wheel) first"
    .venv/bin/pip install -q torch==2.13.0
fi

stamp=.venv/.liftwatch-pyproject.sha256
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    echo "setup: pyproject.toml changed; pip install -e '.[dev]'"
    .venv/bin/pip install -q -e '.[dev]'
    echo "$want" >"$stamp"
fi
