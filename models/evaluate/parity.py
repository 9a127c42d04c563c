"""Does an exported ONNX model compute what its torch model computes?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.synthetic.samples import render_registered
from models.synthetic.scene import World, render_masks
from models.zoo.base import ZooModel
from models.zoo.export import OnnxModel
from models.zoo.providers import CPU


def parity_inputs(model: ZooModel, random: int = 2, seed: int = 0) -> torch.Tensor:
    """A few preprocessed inputs: random tensors, two registered images and both masks."""
    config = model.preprocess_config
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    world = World(0)
    images = np.stack([render_registered(world, 1, s, rng).image for s in ("open", "closed")])
    masks = np.stack(render_masks(world.lift(1)))
    return torch.cat(
        [
            torch.randn(random, 3, *config.input_size, generator=gen),
            config.preprocess(images),
            config.mask_to_input(masks),
        ]
    )


@dataclass(frozen=True)
class Parity:
    """How far ONNX Runtime is from torch: the largest absolute difference over ``inputs``
    inputs, and the largest absolute torch output (the scale the difference compares with)."""

    max_abs_difference: float
    max_abs_output: float
    inputs: int

    def ok(self, tolerance: float) -> bool:
        """Within ``tolerance`` of the output scale (at least 1)."""
        return self.max_abs_difference <= tolerance * max(1.0, self.max_abs_output)


def compare(model: ZooModel, onnx_model: OnnxModel, inputs: torch.Tensor) -> Parity:
    """Run ``inputs`` through both and compare every output value."""
    model.eval()
    with torch.no_grad():
        expected = model(inputs.to(next(model.parameters()).device)).cpu().numpy()
    got = onnx_model.run(inputs)
    if got.shape != expected.shape:
        raise ValueError(f"ONNX output shape {got.shape} differs from torch's {expected.shape}")
    diff = float(np.abs(got - expected).max())
    return Parity(diff, float(np.abs(expected).max()), len(inputs))


def check_parity(model: ZooModel, path: str, random: int = 2) -> Parity:
    """Parity of the ONNX file at ``path`` (run on the CPU) with ``model``."""
    return compare(model, OnnxModel(path, providers=[CPU]), parity_inputs(model, random))
