"""The triplet loss (Schroff et al., FaceNet, CVPR 2015), as a small composable module.

    L(A, P, N) = max(d(A, P) − d(A, N) + margin, 0)

averaged over the triplets, with d the squared Euclidean distance by default (the lecture's
and FaceNet's form, ``‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + m``). In liftwatch the anchor is a
training image, the positive its own lift's mask of the image's state and the negative the same
lift's mask of the other state: the two distances the decision rule compares at inference.
"""

from __future__ import annotations

import torch
from torch import nn

from models.zoo.distances import EuclideanDistance


class TripletLoss(nn.Module):
    """``forward(anchors, positives, negatives)`` of three (N, D) batches → the mean loss.

    ``distance`` defaults to the squared Euclidean distance; pass
    ``EuclideanDistance(squared=False)`` for the plain one. ``margins(...)`` gives the
    per-triplet values ``d(A, N) − d(A, P)`` that the loss wants ≥ ``margin``.
    """

    def __init__(self, margin: float = 1.0, distance: EuclideanDistance | None = None) -> None:
        super().__init__()
        if margin <= 0:
            raise ValueError(f"margin must be > 0, got {margin}")
        self.margin = margin
        self.distance = distance if distance is not None else EuclideanDistance(squared=True)

    def distances(
        self, anchors: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(d(A, P), d(A, N)), each (N,)."""
        if not anchors.shape == positives.shape == negatives.shape:
            raise ValueError(
                "anchors, positives and negatives differ in shape: "
                f"{tuple(anchors.shape)}, {tuple(positives.shape)}, {tuple(negatives.shape)}"
            )
        return self.distance(anchors, positives), self.distance(anchors, negatives)

    def forward(
        self, anchors: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor
    ) -> torch.Tensor:
        d_ap, d_an = self.distances(anchors, positives, negatives)
        if len(d_ap) == 0:
            return anchors.sum() * 0.0  # no triplet: a zero that keeps the graph
        return (d_ap - d_an + self.margin).clamp_min(0).mean()

    def extra_repr(self) -> str:
        return f"margin={self.margin}, squared={self.distance.squared}"
