"""Tiny data shared by the training, evaluation and CLI tests.

Two lifts at difficulty 0 and 64×64 inputs: a siamese-fast epoch takes about a second.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from typing import Any

from models.synthetic.dataset import DatasetSpec
from models.synthetic.store import write_dataset
from models.train.config import TrainConfig
from models.train.data import LiftData, from_spec

TINY = "synthetic:small:lifts=2,difficulty=0,test_scale=0.02"
TINY_SPEC = DatasetSpec(lifts=(1, 2), difficulty=0.0, test_scale=0.02)
SIZE = 64


@functools.lru_cache(maxsize=1)
def tiny_data() -> LiftData:
    """Lifts 1 and 2: 100 train, 100 val and a few test images each, generated once."""
    return from_spec(TINY_SPEC, source=TINY)


def held_out(data: LiftData, seen: tuple[int, ...], unseen: tuple[int, ...]) -> LiftData:
    """``data`` with another leave-lifts-out split (sharing its loaded images)."""
    return replace(data, seen=seen, unseen=unseen, _store=data._store)


def tiny_config(**kw: Any) -> TrainConfig:
    """Small input, few epochs, one thread, few BatchNorm batches; ``kw`` overrides."""
    base: dict[str, Any] = {
        "input_size": SIZE,
        "epochs": 2,
        "threads": 1,
        "device": "cpu",
        "bn_batches": 4,
    }
    return TrainConfig(**(base | kw))


def write_tiny_dataset(out: Path, lifts: int = 2) -> Path:
    """A data-set directory as ``liftwatch synth dataset`` writes it."""
    spec = DatasetSpec(lifts=tuple(range(1, lifts + 1)), difficulty=0.0, test_scale=0.02)
    write_dataset(spec, out, workers=1, quality=90)
    return out
