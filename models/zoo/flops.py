"""Multiply-accumulate (MAC) and parameter counts by forward hooks; no extra dependency.

Counted: ``nn.Conv2d`` (output elements × in_channels/groups × kernel area) and ``nn.Linear``
(output elements × in_features), per image. Biases, BN, activations, pooling and normalisation
are left out (they are a rounding error next to the convolutions). Build big models on the
``meta`` device to count without computing: ``model_complexity`` does that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from models.zoo.base import as_size
from models.zoo.registry import create_model


@dataclass(frozen=True)
class Complexity:
    """Per-image MACs (total and per layer name) and trainable parameters."""

    macs: int
    params: int
    per_layer: dict[str, int] = field(default_factory=dict)

    @property
    def gmacs(self) -> float:
        return self.macs / 1e9


def _conv_macs(m: nn.Conv2d, out: torch.Tensor) -> int:
    kernel = math.prod(m.kernel_size)
    return out[0].numel() * (m.in_channels // m.groups) * kernel


def _linear_macs(m: nn.Linear, out: torch.Tensor) -> int:
    return out[0].numel() * m.in_features


def count_params(model: nn.Module, trainable_only: bool = True) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def count_complexity(
    model: nn.Module, input_size: int | tuple[int, int] = (200, 200), channels: int = 3
) -> Complexity:
    """Run one image of ``input_size`` through ``model`` (eval, no grad) and count."""
    per_layer: dict[str, int] = {}
    handles: list[RemovableHandle] = []

    def hook(name: str) -> Any:
        def record(m: nn.Module, _inputs: Any, out: torch.Tensor) -> None:
            fn = _conv_macs if isinstance(m, nn.Conv2d) else _linear_macs
            per_layer[name] = per_layer.get(name, 0) + fn(m, out)  # type: ignore[arg-type]

        return record

    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d | nn.Linear):
            handles.append(m.register_forward_hook(hook(name)))
    param = next(model.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(1, channels, *as_size(input_size), device=device))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return Complexity(sum(per_layer.values()), count_params(model), per_layer)


def model_complexity(
    name: str, input_size: int | tuple[int, int] = (200, 200), **kwargs: Any
) -> Complexity:
    """Complexity of registered ``name`` built for ``input_size`` on the meta device."""
    with torch.device("meta"):
        model = create_model(name, input_size=input_size, **kwargs)
    return count_complexity(model, input_size)
