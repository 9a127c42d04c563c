"""Losses of the siamese training, as small composable modules."""

from __future__ import annotations

import torch
from torch import nn

from models.zoo.distances import EuclideanDistance


class ContrastiveLoss(nn.Module):
    """Eq. (1) of the paper (Hadsell et al., 2006), averaged over the batch.

        L(y_I, y_M) = α ‖y_M − y_I‖² + (1 − α) max(margin − ‖y_M − y_I‖, 0)²

    with α = 1 when image and mask show the same state (a positive pair), 0 otherwise; the
    paper's margin is 1. ``forward(y_images, y_masks, positive)`` takes (N, D), (N, D) and a
    (N,) bool or 0/1 tensor.
    """

    def __init__(self, margin: float = 1.0, distance: EuclideanDistance | None = None) -> None:
        super().__init__()
        if margin <= 0:
            raise ValueError(f"margin must be > 0, got {margin}")
        self.margin = margin
        self.distance = distance if distance is not None else EuclideanDistance()
        if self.distance.squared:
            raise ValueError("ContrastiveLoss needs the plain (not squared) Euclidean distance")

    def forward(
        self, y_images: torch.Tensor, y_masks: torch.Tensor, positive: torch.Tensor
    ) -> torch.Tensor:
        d = self.distance(y_images, y_masks)
        alpha = positive.to(d.dtype).reshape(d.shape)
        pull = d.pow(2)
        push = (self.margin - d).clamp_min(0).pow(2)
        return (alpha * pull + (1 - alpha) * push).mean()

    def extra_repr(self) -> str:
        return f"margin={self.margin}"
