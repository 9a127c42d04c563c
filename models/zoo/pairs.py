"""Training pairs of the paper (section 4.2): each image with one of its own lift's two masks.

Per epoch every image appears once, paired with the mask of its own state (a positive pair) or
of the other state (a negative pair). Positives are drawn as exactly half (rounded at random
when odd) of each (lift, state) group, so the balance holds per lift and per class, not only
overall. The sampler is seeded: the same (seed, epoch) gives the same pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch

from models.zoo.preprocess import PreprocessConfig

CLOSED, OPEN = 0, 1


@dataclass(frozen=True)
class Pairs:
    """One epoch of pairs, in training order: ``image_index`` into the data set, the paired
    mask's ``lift`` and ``mask_state`` (0 closed, 1 open), and ``positive`` (same state)."""

    image_index: np.ndarray
    lift: np.ndarray
    mask_state: np.ndarray
    positive: np.ndarray

    def __len__(self) -> int:
        return len(self.image_index)


class PairSampler:
    """Seeded image–mask pairs over images with ``labels`` (0/1) from ``lifts``."""

    def __init__(
        self, labels: np.ndarray, lifts: np.ndarray, seed: int = 0, positive_fraction: float = 0.5
    ) -> None:
        self.labels = np.asarray(labels, np.int64)
        self.lifts = np.asarray(lifts, np.int64)
        if self.labels.shape != self.lifts.shape or self.labels.ndim != 1:
            raise ValueError(f"labels and lifts must be (N,): {labels.shape} vs {lifts.shape}")
        if not set(np.unique(self.labels)) <= {CLOSED, OPEN}:
            raise ValueError("labels must be 0 (closed) or 1 (open)")
        if not 0.0 <= positive_fraction <= 1.0:
            raise ValueError(f"positive_fraction must be in [0, 1], got {positive_fraction}")
        self.seed = seed
        self.positive_fraction = positive_fraction

    def epoch(self, epoch: int = 0) -> Pairs:
        """The pairs of ``epoch``: every image once, shuffled."""
        rng = np.random.default_rng([self.seed, epoch])
        positive = np.zeros(len(self.labels), bool)
        for key in sorted(set(zip(self.lifts.tolist(), self.labels.tolist(), strict=True))):
            group = np.flatnonzero((self.lifts == key[0]) & (self.labels == key[1]))
            want = len(group) * self.positive_fraction
            k = int(np.floor(want)) + int(rng.random() < want - np.floor(want))
            positive[rng.permutation(group)[:k]] = True
        order = rng.permutation(len(self.labels))
        states = np.where(positive, self.labels, 1 - self.labels)
        return Pairs(order, self.lifts[order], states[order], positive[order])


class MaskSet:
    """Preprocessed masks of several lifts, picked per pair: ``select(lifts, states)``."""

    def __init__(self, lift_ids: list[int], inputs: torch.Tensor) -> None:
        """``inputs`` (L, 2, 3, h, w): for lift ``lift_ids[i]``, [i, 0] closed and [i, 1] open."""
        if inputs.ndim != 5 or inputs.shape[:2] != (len(lift_ids), 2):
            raise ValueError(f"inputs must be ({len(lift_ids)}, 2, 3, h, w), got {inputs.shape}")
        self.lift_ids = list(lift_ids)
        self.inputs = inputs
        self._row = {lift: i for i, lift in enumerate(self.lift_ids)}

    @classmethod
    def from_masks(
        cls, masks: Mapping[int, tuple[np.ndarray, np.ndarray]], config: PreprocessConfig
    ) -> MaskSet:
        """From ``{lift: (open_mask, closed_mask)}`` uint8 0/255, the order ``render_masks`` and
        ``load_masks`` return."""
        lifts = sorted(masks)
        rows = [config.mask_to_input(np.stack([masks[k][1], masks[k][0]])) for k in lifts]
        return cls(lifts, torch.stack(rows))

    def rows(self, lifts: np.ndarray) -> np.ndarray:
        try:
            return np.array([self._row[int(k)] for k in np.asarray(lifts).ravel()], np.int64)
        except KeyError as exc:
            raise KeyError(f"no masks for lift {exc.args[0]}; have {self.lift_ids}") from None

    def select(self, lifts: np.ndarray, states: np.ndarray) -> torch.Tensor:
        """(N, 3, h, w): the mask of state ``states[i]`` of lift ``lifts[i]``."""
        return self.inputs[torch.from_numpy(self.rows(lifts)), torch.as_tensor(states)]
