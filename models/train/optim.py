"""The optimiser and the paper's learning-rate decay (Keras' ``decay`` argument).

Keras (the paper's framework) applies ``decay`` per update: the ``t``-th update (``t`` = 0, 1,
…, counting every batch since the start of training) uses ``lr / (1 + decay · t)``. The rate
depends only on the update count, so a resumed run continues the schedule exactly.
"""

from __future__ import annotations

import torch
from torch import nn

from models.train.config import TrainConfig


def decayed_lr(lr: float, decay: float, iterations: int) -> float:
    """Keras' time-based decay: ``lr / (1 + decay · iterations)``."""
    if iterations < 0:
        raise ValueError(f"iterations must be >= 0, got {iterations}")
    return lr / (1.0 + decay * iterations)


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr


def make_optimizer(model: nn.Module, config: TrainConfig, lr: float) -> torch.optim.Optimizer:
    """SGD with Nesterov momentum (the paper's), or Adam."""
    params = [p for p in model.parameters() if p.requires_grad]
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr, momentum=config.momentum, nesterov=config.momentum > 0)
