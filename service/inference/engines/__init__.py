"""Inference engines: one small interface (``Engine``), plugins for ONNX Runtime and torch.

engine = load_engine("onnx")                  # the shipped siamese-fast, CUDA if usable
embeddings = engine.embed(engine.config.preprocess(crops).numpy())   # (N, D) float32
"""

from __future__ import annotations

from service.inference.engines.base import DEVICES, Device, Engine, EngineError
from service.inference.engines.onnx_engine import OnnxEngine
from service.inference.engines.registry import ENGINES, EngineKind, EnginePlugin, load_engine
from service.inference.engines.torch_engine import TorchEngine

__all__ = [
    "DEVICES",
    "ENGINES",
    "Device",
    "Engine",
    "EngineError",
    "EngineKind",
    "EnginePlugin",
    "OnnxEngine",
    "TorchEngine",
    "load_engine",
]
