"""The cluttered pairing data of one run: held-out digits, fixed val/test canvases and pairs,
fresh training canvases and pairs every epoch (both drawn from (seed, epoch))."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.pairing.clutter import clutter
from models.pairing.distort import Distortion, distort
from models.pairing.mnist import Digits, split_digits
from models.pairing.pairs import DigitPairs, make_pairs

SPLIT_SEED = 0  # the digits held out for val and test never change with the training seed
VAL_STREAM, TEST_STREAM = 1, 2
DISTORT_STREAM = 2000  # + epoch: its own stream, so the canvases and pairs do not change with it


@dataclass(frozen=True)
class PairSet:
    """Canvases (N, 1, S, S) float32, pairs of indices into them and each digit's top-left
    ``corners`` (N, 2) (row, column) on its canvas."""

    canvases: torch.Tensor
    pairs: DigitPairs
    corners: np.ndarray


class PairingData:
    """``train_epoch(seed, epoch)``, ``val`` and ``test`` pair sets of cluttered digits; with a
    ``distortion``, every epoch's training digits are distorted afresh first."""

    def __init__(
        self,
        digits: Digits,
        canvas: int,
        noise: float,
        val_per_class: int,
        test_per_class: int,
        distortion: Distortion | None = None,
    ) -> None:
        self.canvas, self.noise, self.distortion = canvas, noise, distortion
        split = split_digits(digits.labels, SPLIT_SEED, val_per_class, test_per_class)
        self.train = digits.subset(split["train"])
        self.val = self._fixed(digits.subset(split["val"]), VAL_STREAM)
        self.test = self._fixed(digits.subset(split["test"]), TEST_STREAM)

    def _pair_set(
        self, digits: Digits, rng: np.random.Generator, noise: float | None = None
    ) -> PairSet:
        placed = clutter(digits.images, rng, self.canvas, self.noise if noise is None else noise)
        canvases = torch.from_numpy(placed.images).unsqueeze(1)
        return PairSet(canvases, make_pairs(digits.labels, rng), placed.corners)

    def _fixed(self, digits: Digits, stream: int) -> PairSet:
        return self._pair_set(digits, np.random.default_rng([SPLIT_SEED, stream]))

    def train_epoch(self, seed: int, epoch: int, noise: float | None = None) -> PairSet:
        """New placements, noise and partners (and distortions) for every (seed, epoch); the
        background noise at ``noise`` when given (a curriculum), else at the data's own."""
        digits = self.train
        if self.distortion is not None:
            rng = np.random.default_rng([seed, DISTORT_STREAM + epoch])
            digits = Digits(distort(digits.images, rng, self.distortion), digits.labels)
        return self._pair_set(digits, np.random.default_rng([seed, 1000 + epoch]), noise)
