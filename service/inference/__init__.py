"""Inference: registered crops in, per-frame bar-state decisions out.

engine = load_engine("onnx")                 # the shipped siamese-fast; CUDA where usable
masks = MaskEmbeddingCache(engine)
masks.set_masks("lift-01", *load_lift_masks(Path("masks/lift-01")))
classifier = CropClassifier(engine, masks)
worker = InferenceWorker(classifier, requests, on_decision, stop_event)
worker.start()
"""

from __future__ import annotations

from service.inference.classifier import CropClassifier, ImageDecision
from service.inference.engines import (
    ENGINES,
    Device,
    Engine,
    EngineError,
    EngineKind,
    OnnxEngine,
    TorchEngine,
    load_engine,
)
from service.inference.masks import (
    LiftMasks,
    MaskEmbeddingCache,
    MaskSnapshot,
    UnknownLift,
    load_lift_masks,
)
from service.inference.messages import BarState, CropRequest, FrameDecision
from service.inference.stats import WorkerStats
from service.inference.worker import BatchObserver, DecisionCallback, InferenceWorker

__all__ = [
    "ENGINES",
    "BarState",
    "BatchObserver",
    "CropClassifier",
    "CropRequest",
    "DecisionCallback",
    "Device",
    "Engine",
    "EngineError",
    "EngineKind",
    "FrameDecision",
    "ImageDecision",
    "InferenceWorker",
    "LiftMasks",
    "MaskEmbeddingCache",
    "MaskSnapshot",
    "OnnxEngine",
    "TorchEngine",
    "UnknownLift",
    "WorkerStats",
    "load_engine",
    "load_lift_masks",
]
