"""The classifier a pipeline runs: an engine plugin with each lift's mask embeddings cached.

Each lift's masks are ``open.png`` and ``closed.png`` in a folder: by default the ``masks/``
folder beside the station's config (where ``liftwatch synth video`` writes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from service.inference import (
    CropClassifier,
    Device,
    EngineKind,
    MaskEmbeddingCache,
    load_engine,
    load_lift_masks,
)


@dataclass(frozen=True)
class EngineChoice:
    """Which engine runs which model where: ``model`` None is the shipped default."""

    kind: EngineKind = "onnx"
    model: Path | None = None
    device: Device = "auto"
    threads: int | None = None


def masks_beside(station_file: Path) -> Path:
    """The default mask folder of a station: ``masks/`` next to its YAML file."""
    return station_file.parent / "masks"


def build_classifier(choice: EngineChoice, lift_masks: Mapping[str, Path]) -> CropClassifier:
    """The engine of ``choice`` with the masks of every lift in ``lift_masks`` embedded."""
    engine = load_engine(choice.kind, choice.model, choice.device, choice.threads)
    cache = MaskEmbeddingCache(engine)
    for lift, folder in lift_masks.items():
        open_mask, closed_mask = load_lift_masks(folder)
        cache.set_masks(lift, open_mask, closed_mask)
    return CropClassifier(engine, cache)
