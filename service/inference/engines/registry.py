"""Engine plugins by kind, and ``load_engine`` that builds one from settings.

A new plugin is one entry in ``ENGINES``: its constructor (``(path, device, threads)``) and,
where the product ships a model it can run, that model's path (used when no path is given).
Add its kind to ``EngineKind`` too, so that type checkers know it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from models.default import default_model_path
from service.inference.engines.base import Device, Engine, EngineError
from service.inference.engines.onnx_engine import OnnxEngine
from service.inference.engines.torch_engine import TorchEngine

EngineKind = Literal["onnx", "torch"]


@dataclass(frozen=True)
class EnginePlugin:
    """How to build one kind of engine."""

    factory: Callable[[Path, Device, int | None], Engine]
    default_path: Callable[[], Path] | None = None
    """The shipped model this plugin runs when given no path; ``None``: a path is required."""


ENGINES: dict[str, EnginePlugin] = {
    "onnx": EnginePlugin(OnnxEngine, default_model_path),
    "torch": EnginePlugin(TorchEngine),
}


def load_engine(
    kind: EngineKind,
    path: Path | None = None,
    device: Device = "auto",
    threads: int | None = None,
) -> Engine:
    """Build a ``kind`` engine for the model at ``path`` (``None``: the shipped default model).

    Raises ``EngineError`` for an unknown kind, a kind with no shipped model and no path, a
    device that is not usable here, or a model that cannot serve (unreadable, a classifier).
    """
    plugin = ENGINES.get(kind)
    if plugin is None:
        raise EngineError(f"unknown engine kind {kind!r}; known kinds: {', '.join(ENGINES)}")
    if path is None:
        if plugin.default_path is None:
            raise EngineError(f"the {kind} engine ships no default model: give a model path")
        try:
            path = plugin.default_path()
        except FileNotFoundError as exc:
            raise EngineError(str(exc)) from exc
    return plugin.factory(Path(path), device, threads)
