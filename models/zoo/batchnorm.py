"""Recompute BatchNorm running statistics from data ("precise BN").

Running statistics are an exponential average that lags the weights; after a short training
run they still remember their initial values and eval-mode outputs drift from train-mode ones.
``recalibrate_batchnorm`` resets them and replaces them by the exact average over the given
batches, computed with the final weights. Feed batches shaped like training batches (for a
siamese model: images and their masks concatenated, as ``siamese.embed_pair`` does).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


@torch.no_grad()
def recalibrate_batchnorm(model: nn.Module, batches: Iterable[torch.Tensor]) -> int:
    """Reset and re-estimate every BN layer's running mean/var; returns the batches used."""
    layers = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    if not layers:
        return 0
    momenta = [m.momentum for m in layers]
    was_training = model.training
    for m in layers:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the batches below
    model.train()
    count = 0
    try:
        for batch in batches:
            model(batch)
            count += 1
    finally:
        for m, momentum in zip(layers, momenta, strict=True):
            m.momentum = momentum
        model.train(was_training)
    return count
