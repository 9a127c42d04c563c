"""Shared fixtures: the synthetic world and a few real registered images with their masks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from models.synthetic.samples import render_registered
from models.synthetic.scene import World, render_masks


@dataclass(frozen=True)
class RealBatch:
    """Registered BGR images (N, 200, 200, 3) of ``lift`` and the lift's masks."""

    lift: int
    images: np.ndarray
    labels: np.ndarray
    open_mask: np.ndarray
    closed_mask: np.ndarray


@pytest.fixture(autouse=True, scope="package")
def one_torch_thread() -> Iterator[None]:
    """These small models run fastest on one thread; several fight over busy CI cores."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def world() -> World:
    return World(0)


@pytest.fixture(scope="session")
def real_batch(world: World) -> RealBatch:
    rng = np.random.default_rng(7)
    samples = [render_registered(world, 3, label, rng) for label in ("open", "closed")]
    open_mask, closed_mask = render_masks(world.lift(3), 200)
    return RealBatch(
        lift=3,
        images=np.stack([s.image for s in samples]),
        labels=np.array([1, 0]),
        open_mask=open_mask,
        closed_mask=closed_mask,
    )
