"""Fake job commands: small Python one-liners instead of ``liftwatch train``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from service.jobs import JobRecord

SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


def epochs_script(out: Path, epochs: int) -> list[str]:
    """A step that writes ``epochs`` lines of the epoch log to ``out/log.jsonl``."""
    lines = [
        {
            "epoch": e,
            "loss": 1.0 / e,
            "val_accuracy": 0.5 + 0.1 * e,
            "lr": 0.01,
            "seconds": 0.1,
            "iterations": 10 * e,
            "best": True,
        }
        for e in range(1, epochs + 1)
    ]
    code = (
        "import pathlib, sys; p = pathlib.Path(sys.argv[1]); p.mkdir(parents=True, exist_ok=True);"
        "(p / 'log.jsonl').write_text(sys.argv[2]); print('trained')"
    )
    text = "".join(json.dumps(line) + "\n" for line in lines)
    return [sys.executable, "-c", code, str(out), text]


def quick(job: JobRecord, out: Path) -> list[list[str]]:
    """Two steps: a fake training writing its epoch log, then a step that prints."""
    return [epochs_script(out, 2), [sys.executable, "-c", "print('exported')"]]


def failing(job: JobRecord, out: Path) -> list[list[str]]:
    return [[sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"]]


def sleeping(job: JobRecord, out: Path) -> list[list[str]]:
    return [SLEEP]
