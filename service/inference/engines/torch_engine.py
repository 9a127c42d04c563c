"""The torch engine: a zoo checkpoint (``models.zoo.checkpoint``) run in eval/inference mode.

Useful where a freshly trained checkpoint should serve before it is exported, and to check an
export against its source. ``threads`` sets torch's intra-op thread pool, which is one pool for
the whole process: it affects every torch computation in it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch

from models.zoo.checkpoint import load_checkpoint
from models.zoo.errors import CheckpointError
from service.inference.engines.base import (
    Device,
    EngineError,
    check_batch,
    check_device,
    model_id_of,
    require_siamese,
)

log = logging.getLogger(__name__)


def torch_device(device: Device) -> torch.device:
    """The torch device for ``device``; ``EngineError`` for ``"cuda"`` without a usable GPU."""
    check_device(device)
    if device == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if device == "cuda":
        raise EngineError(
            "device 'cuda' was requested for torch, but torch sees no usable CUDA device "
            "(no GPU, no driver, or a CPU-only torch build); use device 'cpu' or 'auto'"
        )
    return torch.device("cpu")


class TorchEngine:
    """A siamese zoo checkpoint on the CPU or a CUDA device, run under ``torch.inference_mode``."""

    def __init__(self, weights: Path, device: Device = "auto", threads: int | None = None) -> None:
        self.path = Path(weights)
        self.device = torch_device(device)
        try:
            checkpoint = load_checkpoint(self.path)
        except CheckpointError as exc:
            raise EngineError(f"cannot load the torch checkpoint: {exc}") from exc
        self.config = checkpoint.config
        require_siamese(self.config, self.path)
        if threads is not None:
            torch.set_num_threads(threads)
        self.model = checkpoint.model.to(self.device).eval()
        self.name = f"torch-{self.device.type}"
        self.model_id = model_id_of(self.config, self.path)
        log.info("engine %s ready: %s from %s", self.name, self.model_id, self.path)

    def embed(self, batch: np.ndarray) -> np.ndarray:
        """Preprocessed float32 (N, 3, H, W) → float32 (N, D) embeddings."""
        x = torch.from_numpy(check_batch(batch, self.config)).to(self.device)
        with torch.inference_mode():
            out = self.model(x)
        return np.asarray(out.float().cpu().numpy(), dtype=np.float32)

    def embed_with_features(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings (N, D), last feature maps (N, K, h, w)), for Dist-CAM heatmaps."""
        features = getattr(self.model, "features", None)
        if not callable(features):
            raise EngineError(f"{self.config.model} has no features() map for heatmaps")
        x = torch.from_numpy(check_batch(batch, self.config)).to(self.device)
        with torch.inference_mode():
            maps, out = features(x), self.model(x)
        return (
            np.asarray(out.float().cpu().numpy(), dtype=np.float32),
            np.asarray(maps.float().cpu().numpy(), dtype=np.float32),
        )

    def __repr__(self) -> str:
        return f"TorchEngine({self.name}, {self.model_id})"
