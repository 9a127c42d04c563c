"""Hard-case mining for the triplet loss (as pytorch-metric-learning's miners).

The lecture's schedule: train a few epochs, then "choose the hard cases where d(A, P) ≈ d(A, N)"
and refine on them. A triplet's *hardness* is ``d(A, P) − d(A, N)``: above 0 it is violated
(the anchor is nearer its negative, the decision rule would get it wrong), near 0 it is on the
edge. ``HardTripletMiner`` keeps the triplets whose hardness is above ``−band`` (with ``band``
the loss margin these are exactly the triplets whose loss is not zero: FaceNet's hard and
semi-hard ones), hardest first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import torch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MinedTriplets:
    """The mined triplets: ``index`` into the mined batch or set, hardest first, their
    ``hardness`` (d(A, P) − d(A, N), same order), how many were ``violating`` (hardness > 0),
    and how many triplets were looked at (``total``)."""

    index: torch.Tensor
    hardness: torch.Tensor
    violating: int
    total: int

    def __len__(self) -> int:
        return len(self.index)


class HardTripletMiner:
    """Triplets with ``d(A, P) − d(A, N) > −band``, sorted hardest first.

    ``min_count`` tops the selection up with the next-hardest triplets when fewer are hard
    (so a refinement epoch never runs empty); ``max_count`` keeps only the hardest ones.
    Ties keep the input order (a stable sort), so a selection is reproducible.
    """

    def __init__(self, band: float, min_count: int = 0, max_count: int | None = None) -> None:
        if band < 0:
            raise ValueError(f"band must be >= 0, got {band}")
        if min_count < 0:
            raise ValueError(f"min_count must be >= 0, got {min_count}")
        if max_count is not None and max_count < max(min_count, 1):
            raise ValueError(f"max_count must be >= max(min_count, 1), got {max_count}")
        self.band, self.min_count, self.max_count = band, min_count, max_count

    def mine(
        self, d_ap: torch.Tensor, d_an: torch.Tensor, groups: torch.Tensor | None = None
    ) -> MinedTriplets:
        """Select from per-triplet distances ``d_ap`` and ``d_an`` (both (N,)).

        With ``groups`` ((N,) integer labels, e.g. the bar state of each anchor) the selection
        is balanced: every group gives as many triplets as the group with the most hard ones
        (its hardest; all of it if smaller), so refining cannot pull every anchor one way.
        """
        if d_ap.shape != d_an.shape or d_ap.ndim != 1:
            raise ValueError(f"d_ap and d_an must be (N,): {tuple(d_ap.shape)}, {d_an.shape}")
        hardness = (d_ap - d_an).detach()
        order = torch.sort(hardness, descending=True, stable=True).indices
        is_hard = hardness > -self.band
        if groups is None:
            count = max(int(is_hard.sum()), min(self.min_count, len(order)))
            chosen = order[:count]
        else:
            chosen = self._balanced(order, is_hard, groups)
        if self.max_count is not None:
            chosen = chosen[: self.max_count]
        count = len(chosen)
        violating = int((hardness > 0).sum())
        log.debug("mined %d of %d triplets (%d violating)", count, len(order), violating)
        return MinedTriplets(chosen, hardness[chosen], violating, len(order))

    def _balanced(
        self, order: torch.Tensor, is_hard: torch.Tensor, groups: torch.Tensor
    ) -> torch.Tensor:
        """The hardest ``k`` of each group, merged hardest first (``order`` is by hardness)."""
        if groups.shape != is_hard.shape:
            raise ValueError(f"groups must be (N,) like the distances, got {tuple(groups.shape)}")
        names = torch.unique(groups)
        k = max(int(is_hard[groups == g].sum()) for g in names) if len(names) else 0
        k = max(k, -(-self.min_count // max(len(names), 1)))
        ranked = groups[order]
        keep = torch.zeros(len(order), dtype=torch.bool, device=order.device)
        for g in names:
            keep[torch.nonzero(ranked == g).flatten()[:k]] = True
        return order[keep]

    def __repr__(self) -> str:
        return (
            f"HardTripletMiner(band={self.band}, min_count={self.min_count}, "
            f"max_count={self.max_count})"
        )


@dataclass(frozen=True)
class MiningSchedule:
    """Train ``warmup_epochs`` on every triplet, then refine on the mined hard ones; ``band``
    is the miner's: triplets with ``d(A, P) − d(A, N) > −band`` are hard."""

    warmup_epochs: int
    band: float
    balanced: bool = False  # mine as many triplets of each bar state

    def __post_init__(self) -> None:
        if self.warmup_epochs < 0:
            raise ValueError(f"warmup_epochs must be >= 0, got {self.warmup_epochs}")
        if self.band < 0:
            raise ValueError(f"hard_band must be >= 0, got {self.band}")

    def refines(self, epoch: int) -> bool:
        """Whether 0-based ``epoch`` trains on mined triplets."""
        return epoch >= self.warmup_epochs
