"""The ONNX Runtime engine: an exported siamese model on the CPU or a CUDA device.

``device="auto"`` takes CUDA only where ``models.zoo.providers.cuda_usable()`` says it really
works (GPU present, CUDA provider library loads); ``"cuda"`` where it does not work raises
``EngineError`` at once instead of letting ONNX Runtime log errors and fall back to the CPU.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

from models.explain.onnx_features import FeatureOnnxModel, FeatureSurgeryError
from models.zoo.export import OnnxModel, OnnxModelError
from models.zoo.providers import CPU, CUDA, cuda_usable
from service.inference.engines.base import (
    Device,
    EngineError,
    check_batch,
    check_device,
    model_id_of,
    require_siamese,
)

log = logging.getLogger(__name__)


def onnx_providers(device: Device) -> list[str]:
    """ONNX Runtime providers for ``device``; ``EngineError`` for ``"cuda"`` where unusable."""
    check_device(device)
    if device == "cpu":
        return [CPU]
    if cuda_usable():
        return [CUDA, CPU]
    if device == "cuda":
        raise EngineError(
            "device 'cuda' was requested for ONNX Runtime, but CUDA is not usable here "
            "(no GPU, no driver, or the CUDA/cuDNN libraries of onnxruntime-gpu do not load); "
            "use device 'cpu' or 'auto'"
        )
    return [CPU]


class OnnxEngine:
    """An exported siamese model (``model.onnx`` + its preprocess config) run by ONNX Runtime.

    ``threads``: ONNX Runtime's intra-op threads (``None``: its default, every core). Idle
    threads do not spin: the engine shares the cores with the stations' capture and
    registration threads.
    """

    def __init__(self, path: Path, device: Device = "auto", threads: int | None = None) -> None:
        self.path = Path(path)
        self.threads = threads
        self._features: FeatureOnnxModel | None = None
        self._features_lock = threading.Lock()
        providers = onnx_providers(device)
        try:
            self.model = OnnxModel(self.path, providers=providers, threads=threads, spin=False)
        except OnnxModelError as exc:
            raise EngineError(f"cannot load the ONNX model: {exc}") from exc
        self.config = self.model.config
        require_siamese(self.config, self.path)
        on_cuda = self.model.providers[:1] == [CUDA]
        self.name = "onnx-cuda" if on_cuda else "onnx-cpu"
        self.model_id = model_id_of(self.config, self.path)
        log.info("engine %s ready: %s from %s", self.name, self.model_id, self.path)

    def embed(self, batch: np.ndarray) -> np.ndarray:
        """Preprocessed float32 (N, 3, H, W) → float32 (N, D) embeddings."""
        x = check_batch(batch, self.config)
        return self.model.run(x).astype(np.float32, copy=False)

    def embed_with_features(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings (N, D), last feature maps (N, K, h, w)), for Dist-CAM heatmaps.

        A second session of the same file with the feature map exposed by graph surgery
        (``models.explain.onnx_features``), built on first use: the per-frame ``embed`` stays
        on the plain graph. ``EngineError`` when the model has no global average pooling.
        """
        x = check_batch(batch, self.config)
        with self._features_lock:
            if self._features is None:
                try:
                    self._features = FeatureOnnxModel(
                        self.path, providers=self.model.providers, threads=self.threads
                    )
                except FeatureSurgeryError as exc:
                    raise EngineError(f"no feature map for heatmaps: {exc}") from exc
            model = self._features
        embeddings, features = model.run(x)
        return embeddings.astype(np.float32, copy=False), features.astype(np.float32, copy=False)

    def __repr__(self) -> str:
        return f"OnnxEngine({self.name}, {self.model_id})"
