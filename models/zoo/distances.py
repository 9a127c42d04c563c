"""Distances between rows of two embedding batches (as in pytorch-metric-learning)."""

from __future__ import annotations

import torch
from torch import nn


class EuclideanDistance(nn.Module):
    """Row-wise L2 distance ‖a − b‖ of (N, D) batches → (N,); ``squared`` gives ‖a − b‖².

    The square root is taken of ``max(‖a − b‖², eps)`` so its gradient stays finite when an
    image lands exactly on its mask (a distance of 1e-6 instead of 0 with the default ``eps``).
    """

    def __init__(self, squared: bool = False, eps: float = 1e-12) -> None:
        super().__init__()
        self.squared = squared
        self.eps = eps

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        if a.shape[-1] != b.shape[-1]:
            raise ValueError(f"embedding sizes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
        sq = (a - b).pow(2).sum(dim=-1)
        return sq if self.squared else sq.clamp_min(self.eps).sqrt()

    def extra_repr(self) -> str:
        return f"squared={self.squared}"
