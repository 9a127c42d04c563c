"""What a job's output says: training progress from ``log.jsonl``, an evaluation's tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from models.train.log import EpochLog

LOG_FILE = "log.jsonl"
"""The epoch log ``liftwatch train`` writes in its ``--out`` (``models.train.log``)."""


def train_progress(out: Path, epochs: int | None) -> dict[str, Any]:
    """``{epoch, epochs, loss, val_accuracy, best_val_accuracy, best_epoch}`` so far (``epoch``
    0 before the first epoch ends); a line being written is skipped."""
    try:
        records = EpochLog(out / LOG_FILE).read()
    except (json.JSONDecodeError, OSError, KeyError):
        records = _lenient(out / LOG_FILE)
    progress: dict[str, Any] = {"epoch": 0, "epochs": epochs}
    if not records:
        return progress
    last = records[-1]
    best = max(records, key=lambda r: float(r.get("val_accuracy", 0.0)))
    progress.update(
        epoch=int(last["epoch"]),
        loss=float(last["loss"]),
        val_accuracy=float(last["val_accuracy"]),
        best_val_accuracy=float(best["val_accuracy"]),
        best_epoch=int(best["epoch"]),
    )
    return progress


def _lenient(path: Path) -> list[dict[str, Any]]:
    records = []
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return [r for r in records if isinstance(r, dict) and "epoch" in r]


def evaluation_result(out: Path) -> dict[str, Any]:
    """``{accuracy: accuracy.json, markdown: accuracy.md}`` of an evaluation's ``out``."""
    result: dict[str, Any] = {}
    table = out / "accuracy.json"
    if table.is_file():
        result["accuracy"] = json.loads(table.read_text())
    markdown = out / "accuracy.md"
    if markdown.is_file():
        result["markdown"] = markdown.read_text()
    return result


PAIRING_RESULT = "result.json"
"""What ``liftwatch pairing train`` writes in its ``--out`` (``models.pairing.train.RESULT``)."""
PAIRING_KEYS = (
    "test_accuracy",
    "test_pairs",
    "val_accuracy",
    "keep",
    "kept_epoch",
    "best_epoch",
    "keep_rules",
    "threshold",
    "test_window",
    "seconds",
)


def pairing_result(out: Path, crops: Path) -> dict[str, Any]:
    """The summary of a pairing run's ``result.json`` (its per-epoch history stays in the file
    and in ``log.jsonl``), with ``crops``' path when the run drew its STN crops."""
    data = json.loads((out / PAIRING_RESULT).read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{out / PAIRING_RESULT} does not hold a JSON object")
    result = {key: data[key] for key in PAIRING_KEYS if key in data}
    if crops.is_file():
        result["crops"] = str(crops)
    return result


def tail(path: Path, max_bytes: int) -> str:
    """The last ``max_bytes`` of ``path`` (from a line start), '' if it does not exist."""
    try:
        with path.open("rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            data = f.read()
    except OSError:
        return ""
    if len(data) == max_bytes and b"\n" in data:
        data = data.split(b"\n", 1)[1]
    return data.decode("utf-8", "replace")
