"""48-bit codes of a split from a trained hashing model (checkpoint or ONNX export).

``load_hasher(name, path)`` gives a ``Hasher``: preprocessed batch → (N, bits) sigmoid outputs
of the hash layer; ``split_codes`` runs it over a split in batches and thresholds at 0.5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from models.synthetic.dataset import ArraySplit
from models.zoo.checkpoint import load_checkpoint
from models.zoo.errors import CheckpointError
from models.zoo.export import INPUT_NAME, OnnxModel
from models.zoo.hashing import ONNX_OUTPUTS, HashingModel
from models.zoo.preprocess import PreprocessConfig

Progress = Callable[[int, int], None]
HASH_OUTPUT = ONNX_OUTPUTS[1]


@dataclass
class Hasher:
    """A hashing model behind one call: preprocessed batch → hash-layer outputs in [0, 1]."""

    name: str
    config: PreprocessConfig
    run: Callable[[torch.Tensor], np.ndarray]


def _torch_hasher(name: str, path: Path) -> Hasher:
    model = load_checkpoint(path, expected_model=name).model
    if not isinstance(model, HashingModel):
        raise CheckpointError(f"{path} holds {name!r}, not a hashing model")
    model.eval()

    @torch.no_grad()
    def run(batch: torch.Tensor) -> np.ndarray:
        return model.hash_probs(batch).numpy()

    return Hasher(name, model.preprocess_config, run)


def _onnx_hasher(name: str, path: Path) -> Hasher:
    model = OnnxModel(path, providers=["CPUExecutionProvider"])
    outputs = [o.name for o in model.session.get_outputs()]
    if model.config.model != name or HASH_OUTPUT not in outputs:
        raise CheckpointError(
            f"{path} holds {model.config.model!r} with outputs {outputs}, not a {name!r} "
            f"hashing export (output {HASH_OUTPUT!r})"
        )

    def run(batch: torch.Tensor) -> np.ndarray:
        x = batch.numpy().astype(np.float32, copy=False)
        out: np.ndarray = model.session.run([HASH_OUTPUT], {INPUT_NAME: x})[0]
        return out

    return Hasher(name, model.config, run)


def load_hasher(name: str, path: Path) -> Hasher:
    """A ``.pt`` checkpoint or an ``.onnx`` export of the hashing model ``name``."""
    if not path.is_file():
        raise CheckpointError(f"weights {path} do not exist")
    if path.suffix == ".onnx":
        return _onnx_hasher(name, path)
    return _torch_hasher(name, path)


def threshold(probs: np.ndarray) -> np.ndarray:
    """Hash-layer outputs → uint8 bits, 1 where >= 0.5 (the paper's eq. 2)."""
    return (np.asarray(probs) >= 0.5).astype(np.uint8)


def split_codes(
    hasher: Hasher, split: ArraySplit, batch_size: int = 128, progress: Progress | None = None
) -> np.ndarray:
    """(N, bits) uint8 codes of every image of ``split``."""
    parts = []
    for start in range(0, len(split), batch_size):
        batch = hasher.config.preprocess(split.images[start : start + batch_size])
        parts.append(threshold(hasher.run(batch)))
        if progress is not None:
            progress(min(start + batch_size, len(split)), len(split))
    if not parts:
        return np.zeros((0, 0), np.uint8)
    return np.concatenate(parts)
