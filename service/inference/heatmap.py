"""The explanation heatmap of an alarm's crop: Dist-CAM against the nearer of its lift's masks.

``CropHeatmapper(classifier)(lift, crop)`` takes the classifier's *current* engine (the active
model, after any hot swap) and the lift's current mask images, embeds the two masks and the
crop with their last feature maps (one call of the engine's ``embed_with_features``), picks the
nearer mask (the pipeline's decision rule) and returns the crop with its Dist-CAM heatmap drawn
over it (``models.explain``). It costs three forward passes, so it runs only when an alarm is
raised (``AlarmRaiser``), never per frame. Engines without ``embed_with_features`` (or a model
without a feature map) raise ``HeatmapUnavailable`` / ``EngineError``: the raiser logs it and
sends the alarm without a heatmap.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

import numpy as np

from models.explain.explainers import DistCamExplainer
from models.explain.overlay import overlay
from service.inference.classifier import CropClassifier
from service.inference.crops import check_crop

log = logging.getLogger(__name__)


class HeatmapUnavailable(RuntimeError):  # noqa: N818 (reads as a state, like UnknownLift)
    """The active engine cannot give the feature maps a heatmap needs."""


@runtime_checkable
class FeatureEngine(Protocol):
    """An engine that can also return its last feature maps."""

    def embed_with_features(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


class CropHeatmapper:
    """(lift, BGR crop) → the crop with its Dist-CAM heatmap over it (BGR uint8, crop size)."""

    def __init__(self, classifier: CropClassifier) -> None:
        self.classifier = classifier

    def heatmap(self, lift: str, crop: np.ndarray) -> tuple[np.ndarray, int]:
        """The [0, 1] heatmap (crop size) and the predicted state (1 open, 0 closed)."""
        check_crop(crop)
        engine = self.classifier.engine
        if not isinstance(engine, FeatureEngine):
            raise HeatmapUnavailable(f"engine {engine!r} gives no feature maps for heatmaps")
        open_mask, closed_mask = self.classifier.masks.mask_images(lift)
        explainer = DistCamExplainer(engine.embed_with_features, engine.config)
        explainer.set_masks(lift, open_mask, closed_mask)
        out = explainer.explain(crop[None], lift)
        return out.heatmaps[0], int(out.predicted[0])

    def __call__(self, lift: str, crop: np.ndarray) -> np.ndarray:
        heat, state = self.heatmap(lift, crop)
        log.debug("heatmap of a %s crop of lift %s drawn", "open" if state else "closed", lift)
        return overlay(crop, heat)
