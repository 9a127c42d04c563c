"""The decision rule of the paper (eq. 2 and 3) and its classifier counterpart.

An image takes the state of the nearer of its lift's two masks in the embedding space. Ties go
to "open": a tie should raise an alarm rather than pass an open bar.

Sign convention: ``distances`` are plain Euclidean distances (eq. 2's squared distances give the
same argmin); ``margin = |d_open − d_closed| ≥ 0`` is how sure the decision is; ``score =
d_closed − d_open`` is signed, > 0 leaning open, < 0 leaning closed (for ROC curves and
thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.zoo.distances import EuclideanDistance

CLOSED, OPEN = 0, 1


@dataclass(frozen=True)
class Decision:
    """Per image: ``state`` (N,) int64 0 closed / 1 open, distances, margin and signed score."""

    state: torch.Tensor
    d_open: torch.Tensor
    d_closed: torch.Tensor

    @property
    def margin(self) -> torch.Tensor:
        return (self.d_open - self.d_closed).abs()

    @property
    def score(self) -> torch.Tensor:
        return self.d_closed - self.d_open


def _rows(x: torch.Tensor | np.ndarray, n: int, name: str) -> torch.Tensor:
    t = torch.as_tensor(x)
    if t.ndim == 1:
        t = t[None]
    if t.ndim != 2 or t.shape[0] not in (1, n):
        raise ValueError(f"{name} must be (D,), (1, D) or ({n}, D), got {tuple(t.shape)}")
    return t.expand(n, -1)


def decide(
    embeddings: torch.Tensor | np.ndarray,
    open_embeddings: torch.Tensor | np.ndarray,
    closed_embeddings: torch.Tensor | np.ndarray,
    distance: EuclideanDistance | None = None,
) -> Decision:
    """Embeddings (N, D) of images against each image's open and closed mask embeddings.

    The mask embeddings are (N, D) (one lift per image) or (D,) / (1, D) (one lift for all).
    """
    y = torch.as_tensor(embeddings)
    if y.ndim != 2:
        raise ValueError(f"embeddings must be (N, D), got {tuple(y.shape)}")
    dist = distance if distance is not None else EuclideanDistance()
    n = y.shape[0]
    d_open = dist(y, _rows(open_embeddings, n, "open_embeddings").to(y.dtype))
    d_closed = dist(y, _rows(closed_embeddings, n, "closed_embeddings").to(y.dtype))
    state = torch.where(d_open <= d_closed, OPEN, CLOSED).to(torch.int64)
    return Decision(state, d_open, d_closed)


def classify(logits: torch.Tensor | np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Classifier counterpart: (state (N,), softmax probabilities (N, C)) from logits (N, C)."""
    probs = torch.softmax(torch.as_tensor(logits, dtype=torch.float32), dim=-1)
    return probs.argmax(dim=-1), probs
