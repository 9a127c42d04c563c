"""Same/different pairs: balanced, correct labels, never an image with itself."""

from __future__ import annotations

import numpy as np
import pytest

from models.pairing.pairs import make_pairs


def test_pairs_are_balanced_and_labelled_right() -> None:
    labels = np.repeat(np.arange(10), 7)
    pairs = make_pairs(labels, np.random.default_rng(0))
    assert len(pairs) == 140 and pairs.same.sum() == 70
    assert np.array_equal(labels[pairs.a] == labels[pairs.b], pairs.same.astype(bool))
    assert np.all(pairs.a[pairs.same == 1] != pairs.b[pairs.same == 1])
    assert np.bincount(pairs.a).tolist() == [2] * 70  # each image twice: once each way
    again = make_pairs(labels, np.random.default_rng(0))
    assert np.array_equal(pairs.b, again.b)


def test_impossible_pairs() -> None:
    with pytest.raises(ValueError, match="single image"):
        make_pairs(np.array([0, 0, 1]), np.random.default_rng(0))
    with pytest.raises(ValueError, match="two classes"):
        make_pairs(np.array([0, 0]), np.random.default_rng(0))
