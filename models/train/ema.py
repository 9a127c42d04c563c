"""Weight averaging (``--ema DECAY``): an exponential moving average of a model's weights.

After every optimiser update the average moves towards the current weights by ``1 − d``,
``d = min(decay, (1 + n) / (10 + n))`` after ``n`` updates (the warm-up of TensorFlow's
``ExponentialMovingAverage``: the first updates are not pinned to the random initial weights).
With ``decay`` 0.998 the average spans about 500 updates, a few epochs. Validation,
``best.pt`` and ``last.pt`` use the averaged weights (their BatchNorm statistics re-estimated
for them); the trained weights travel in ``last.pt`` for ``--resume``. Averaging smooths the
epoch-to-epoch swings of the held-out-lift validation (docs/ACCURACY.md, unseen lifts).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

StateDict = dict[str, torch.Tensor]


def warmed_decay(decay: float, updates: int) -> float:
    """The decay used after ``updates`` updates: ``decay``, lower at the start."""
    return min(decay, (1 + updates) / (10 + updates))


def _copy(model: nn.Module) -> StateDict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class WeightAverage:
    """The moving average of ``model``'s state (parameters and buffers)."""

    def __init__(self, model: nn.Module, decay: float) -> None:
        if not 0 < decay < 1:
            raise ValueError(f"ema decay must be in (0, 1), got {decay!r}")
        self.decay = decay
        self.average = _copy(model)

    def update(self, model: nn.Module, updates: int) -> None:
        """Move the average towards ``model``'s weights (``updates`` done before this one)."""
        d = warmed_decay(self.decay, updates)
        with torch.no_grad():
            for name, value in model.state_dict().items():
                mean = self.average[name]
                if mean.is_floating_point():
                    mean.lerp_(value.detach(), 1 - d)
                else:  # counters (BatchNorm's num_batches_tracked): the latest
                    mean.copy_(value)

    @contextmanager
    def swapped_in(self, model: nn.Module) -> Iterator[StateDict]:
        """``model`` holds the averaged weights inside the block (what it changes there, e.g.
        BatchNorm statistics, stays in the average); yields the trained weights, which it
        holds again afterwards."""
        trained = _copy(model)
        model.load_state_dict(self.average)
        try:
            yield trained
        finally:
            self.average = _copy(model)
            model.load_state_dict(trained)
