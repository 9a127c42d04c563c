"""Heatmap makers: Dist-CAM for a siamese model, CAM for a GAP + linear classifier, random.

Each ``explain(images, lift)`` takes BGR uint8 crops (N, H, W, 3) and returns an
:class:`Explanation`: one [0, 1] heatmap per image at the image's size, and what the model
predicted (the nearer mask, or the classifier's top class), the class the heatmap explains.

* :class:`DistCamExplainer` runs any siamese model given as a *feature runner*, a function from a
  preprocessed batch to (embeddings, last feature maps): an exported model with its feature map
  exposed (``onnx_features.FeatureOnnxModel.run``) or a torch zoo model with ``features``
  (:func:`torch_feature_runner`). The support is the predicted mask (the nearer of the lift's
  two, the service's decision rule): Dist-CAM of the crop against that mask's features.
* :class:`CamExplainer` needs a torch classifier whose logits are ``fc(GAP(features(x)))``.
* :class:`RandomExplainer` draws uniform noise on the feature map's grid, upsampled alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch
from torch import nn

from models.explain.cam import cam_map, distcam_map, random_heatmap, to_heatmap
from models.zoo.base import ZooModel
from models.zoo.decision import OPEN, decide
from models.zoo.preprocess import PreprocessConfig

log = logging.getLogger(__name__)
FeatureRunner = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
"""Preprocessed float32 (N, 3, H, W) → (embeddings (N, D), feature maps (N, K, h, w))."""


@dataclass(frozen=True)
class Explanation:
    """``heatmaps`` (N, H, W) float32 in [0, 1]; ``predicted`` (N,) 1 open / 0 closed."""

    heatmaps: np.ndarray
    predicted: np.ndarray


class Explainer(Protocol):
    name: str

    def explain(self, images: np.ndarray, lift: int | str) -> Explanation: ...


def _check_images(images: np.ndarray) -> np.ndarray:
    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.ndim != 4 or arr.shape[-1] != 3 or arr.dtype != np.uint8 or arr.shape[0] == 0:
        raise ValueError(f"images must be BGR uint8 (N, H, W, 3), got {arr.dtype} {arr.shape}")
    return arr


def torch_feature_runner(model: ZooModel) -> FeatureRunner:
    """A :data:`FeatureRunner` of a torch siamese zoo model that has ``features(x)``."""
    features = getattr(model, "features", None)
    if model.kind != "siamese" or not callable(features):
        raise TypeError(f"{model.model_name} is no siamese model with a features() map")
    model.eval()

    def run(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
            return model(x).numpy(), features(x).numpy()

    return run


@dataclass(frozen=True)
class _Support:
    embeddings: np.ndarray  # (2, D): open, closed
    gaps: np.ndarray  # (2, K): GAP of the open and closed masks' feature maps


class DistCamExplainer:
    """Dist-CAM of each crop against its predicted mask (see module doc)."""

    name = "dist-cam"

    def __init__(self, runner: FeatureRunner, config: PreprocessConfig) -> None:
        if config.kind != "siamese":
            raise TypeError(f"Dist-CAM needs a siamese model, {config.model} is a {config.kind}")
        self.runner, self.config = runner, config
        self._supports: dict[str, _Support] = {}

    def set_masks(self, lift: int | str, open_mask: np.ndarray, closed_mask: np.ndarray) -> None:
        """Embed the lift's masks once (uint8 0/255 (H, W) each)."""
        emb, feats = self.runner(
            self.config.mask_to_input(np.stack([open_mask, closed_mask])).numpy()
        )
        self._supports[str(lift)] = _Support(emb, feats.mean(axis=(2, 3)))

    def has_masks(self, lift: int | str) -> bool:
        return str(lift) in self._supports

    def explain(self, images: np.ndarray, lift: int | str) -> Explanation:
        arr = _check_images(images)
        support = self._supports.get(str(lift))
        if support is None:
            raise KeyError(f"lift {lift}: no masks set for Dist-CAM (call set_masks first)")
        emb, feats = self.runner(self.config.preprocess(arr).numpy())
        state = decide(emb, support.embeddings[0], support.embeddings[1]).state.numpy()
        size = (arr.shape[1], arr.shape[2])
        heatmaps = [
            to_heatmap(distcam_map(support.gaps[0 if s == OPEN else 1], f), size)
            for s, f in zip(state, feats, strict=True)
        ]
        return Explanation(np.stack(heatmaps), state)


class CamExplainer:
    """CAM of each crop's top class for a classifier ``fc(GAP(features(x)))``."""

    name = "cam"

    def __init__(self, model: ZooModel) -> None:
        fc = getattr(model, "fc", None)
        if model.kind != "classifier" or not isinstance(fc, nn.Linear):
            raise TypeError(
                f"CAM needs a classifier with global average pooling and a linear head 'fc'; "
                f"{model.model_name} has none"
            )
        features = getattr(model, "features", None)
        if not callable(features):
            raise TypeError(f"{model.model_name} has no features() map")
        self.model = model.eval()
        self.features: Callable[[torch.Tensor], torch.Tensor] = features
        self.fc: nn.Linear = fc
        self.config = model.preprocess_config

    def explain(self, images: np.ndarray, lift: int | str = "") -> Explanation:
        arr = _check_images(images)
        with torch.no_grad():
            feats = self.features(self.config.preprocess(arr))
            logits = self.fc(feats.mean(dim=(2, 3)))
        classes = logits.argmax(dim=1).numpy()
        weight = self.fc.weight.detach().numpy()
        size = (arr.shape[1], arr.shape[2])
        heatmaps = [
            to_heatmap(cam_map(f, weight, int(c)), size)
            for f, c in zip(feats.numpy(), classes, strict=True)
        ]
        # the class map is {0: closed, 1: open}, the decision rule's CLOSED, OPEN
        return Explanation(np.stack(heatmaps), classes.astype(np.int64))


class RandomExplainer:
    """Uniform noise on a ``grid`` (default 7×7, siamese-fast's map at 200×200)."""

    name = "random"

    def __init__(self, seed: int = 0, grid: tuple[int, int] = (7, 7)) -> None:
        self.rng = np.random.default_rng(seed)
        self.grid = grid

    def explain(self, images: np.ndarray, lift: int | str = "") -> Explanation:
        arr = _check_images(images)
        size = (arr.shape[1], arr.shape[2])
        heatmaps = np.stack([random_heatmap(self.rng, self.grid, size) for _ in arr])
        return Explanation(heatmaps, np.full(len(arr), -1, np.int64))
