"""The engine interface: a preprocessed batch in, L2 embeddings out, whatever runs underneath.

An engine is one loaded siamese model on one device. The pipeline needs embeddings (a crop is
compared with its lift's mask embeddings), so engines refuse classifier models. ``model_id``
names the model *and* the exact weights (a short content hash of the weights file), so a
decision, a cached mask embedding or a metric can tell which model produced it and a model
change is detectable even when the name stays the same.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from models.zoo.preprocess import PreprocessConfig

Device = Literal["auto", "cpu", "cuda"]
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")
HASH_CHARS = 12
_CHUNK = 1 << 20


class EngineError(RuntimeError):
    """An engine that cannot be built or used here; the message says why and what to do."""


@runtime_checkable
class Engine(Protocol):
    """One siamese model on one device, behind a single call.

    ``name``: the plugin and device, e.g. ``"onnx-cpu"``, ``"onnx-cuda"``, ``"torch-cpu"``.
    ``model_id``: ``"<model name>@<weights hash>"``. ``config``: how inputs must be prepared.
    """

    name: str
    model_id: str
    config: PreprocessConfig

    def embed(self, batch: np.ndarray) -> np.ndarray:
        """Preprocessed float32 (N, 3, H, W) → float32 (N, D) embeddings."""
        ...


def file_digest(path: Path) -> str:
    """The first ``HASH_CHARS`` hex digits of the SHA-256 of ``path``'s bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()[:HASH_CHARS]


def model_id_of(config: PreprocessConfig, weights: Path) -> str:
    """``"siamese-fast@3f2a9c01b7de"``: the model's name and its weights' content hash."""
    return f"{config.model}@{file_digest(weights)}"


def check_device(device: str) -> None:
    """``EngineError`` unless ``device`` is one of ``DEVICES``."""
    if device not in DEVICES:
        raise EngineError(f"device must be one of {', '.join(DEVICES)}; got {device!r}")


def require_siamese(config: PreprocessConfig, path: Path) -> None:
    """``EngineError`` for a classifier: the pipeline compares embeddings with mask embeddings."""
    if config.kind != "siamese":
        raise EngineError(
            f"{path} holds {config.model!r}, a {config.kind} model: the inference pipeline "
            "needs a siamese model that outputs embeddings"
        )


def check_batch(batch: np.ndarray, config: PreprocessConfig) -> np.ndarray:
    """``batch`` as C-contiguous float32 (N, 3, H, W); ``ValueError`` when its shape is wrong."""
    x = np.ascontiguousarray(batch, dtype=np.float32)
    expected = (3, *config.input_size)
    if x.ndim != 4 or tuple(x.shape[1:]) != expected:
        raise ValueError(f"batch must be (N, {', '.join(map(str, expected))}), got {x.shape}")
    return x
