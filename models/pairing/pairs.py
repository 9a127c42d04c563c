"""Same/different digit pairs (GetNet, section IV.B): each image with one image of its own class
(label 1) and one of another class (label 0), so positives and negatives are equal in number."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DigitPairs:
    """Indices ``a`` and ``b`` into one image set and ``same`` (1: same digit, 0: not)."""

    a: np.ndarray
    b: np.ndarray
    same: np.ndarray

    def __len__(self) -> int:
        return len(self.a)


def make_pairs(labels: np.ndarray, rng: np.random.Generator) -> DigitPairs:
    """Two pairs per image, in shuffled order; a positive partner is never the image itself."""
    labels = np.asarray(labels)
    n = len(labels)
    if n < 2 or len(np.unique(labels)) < 2:
        raise ValueError("pairs need at least two images of two classes")
    by_class = {c: np.flatnonzero(labels == c) for c in np.unique(labels).tolist()}
    not_class = {c: np.flatnonzero(labels != c) for c in by_class}
    partners_same = np.empty(n, np.int64)
    partners_other = np.empty(n, np.int64)
    for i, c in enumerate(labels.tolist()):
        same = by_class[c]
        if len(same) < 2:
            raise ValueError(f"class {c} has a single image: no positive pair")
        j = i
        while j == i:
            j = int(same[rng.integers(len(same))])
        partners_same[i] = j
        others = not_class[c]
        partners_other[i] = int(others[rng.integers(len(others))])
    a = np.concatenate([np.arange(n), np.arange(n)])
    b = np.concatenate([partners_same, partners_other])
    same_flags = np.concatenate([np.ones(n, np.int64), np.zeros(n, np.int64)])
    order = rng.permutation(2 * n)
    return DigitPairs(a[order], b[order], same_flags[order])
