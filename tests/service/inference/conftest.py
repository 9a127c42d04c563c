"""Shared fixtures: the shipped model on one CPU thread and the synthetic world's masks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from models.synthetic.scene import World, render_masks
from service.inference.engines import OnnxEngine, load_engine

LIFT = 3


@dataclass(frozen=True)
class LiftWorld:
    """A lift of the synthetic world (the one the shipped model was trained on)."""

    world: World
    lift_id: int
    open_mask: np.ndarray
    closed_mask: np.ndarray


@pytest.fixture(autouse=True, scope="package")
def one_torch_thread() -> Iterator[None]:
    """The machine's cores are shared: keep torch to one thread, as ORT is below."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="package")
def shipped() -> OnnxEngine:
    engine = load_engine("onnx", device="cpu", threads=1)
    assert isinstance(engine, OnnxEngine)
    return engine


@pytest.fixture(scope="package")
def lift_world() -> LiftWorld:
    world = World(0)
    open_mask, closed_mask = render_masks(world.lift(LIFT), 200)
    return LiftWorld(world, LIFT, open_mask, closed_mask)
