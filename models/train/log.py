"""The training log: one JSON object per epoch, one line each (``log.jsonl``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class EpochRecord:
    """One epoch: mean training ``loss``, validation accuracy, the learning rate at its end,
    its wall-clock ``seconds``, the update count so far and whether it is the best so far;
    triplet hard mining (``models.train.triplet_task``) adds the triplets mined for the epoch
    (``hard_cases``) and how many of them were ``violating`` (absent from other epochs)."""

    epoch: int
    loss: float
    val_accuracy: float
    lr: float
    seconds: float
    iterations: int
    best: bool
    hard_cases: int | None = None
    violating: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class EpochLog:
    """Append-only JSON-lines file; ``truncate(epoch)`` drops lines past a resumed epoch."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def reset(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("")

    def truncate(self, epoch: int) -> list[dict[str, Any]]:
        """Keep the records of epochs ≤ ``epoch`` (written before a crash may exceed it)."""
        kept = [r for r in self.read() if int(r["epoch"]) <= epoch]
        self.path.write_text("".join(json.dumps(r) + "\n" for r in kept))
        return kept

    def append(self, record: EpochRecord) -> None:
        self.append_dict(record.to_dict())

    def append_dict(self, record: dict[str, Any]) -> None:
        """One line of any JSON object with at least ``epoch``, ``loss`` and ``val_accuracy``
        (what ``service.jobs.progress`` reads)."""
        with self.path.open("a") as f:
            f.write(json.dumps(record) + "\n")
