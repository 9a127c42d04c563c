"""The cluttered canvases: digit wholly inside, noise around it, deterministic by seed."""

from __future__ import annotations

import numpy as np
import pytest

from models.pairing.clutter import clutter


def digits(n: int) -> np.ndarray:
    out = np.zeros((n, 28, 28), np.uint8)
    out[:, 4:24, 12:16] = 255  # a "1": a bar of full strokes
    return out


def test_digit_lies_inside_the_canvas_where_the_corner_says() -> None:
    result = clutter(digits(50), np.random.default_rng(0), canvas=60, noise=0.4)
    assert result.images.shape == (50, 60, 60) and result.images.dtype == np.float32
    rows, cols = result.corners[:, 0], result.corners[:, 1]
    assert rows.min() >= 0 and cols.min() >= 0 and rows.max() <= 32 and cols.max() <= 32
    assert len(np.unique(result.corners, axis=0)) > 40  # places vary
    for img, (r, c) in zip(result.images, result.corners, strict=True):
        assert np.all(img[r + 4 : r + 24, c + 12 : c + 16] == 1.0)  # strokes intact, there
        outside = np.ones_like(img, bool)
        outside[r + 4 : r + 24, c + 12 : c + 16] = False
        assert img[outside].max() <= 0.4 and img[outside].std() > 0.05  # noise elsewhere


def test_same_seed_same_canvases() -> None:
    a = clutter(digits(5), np.random.default_rng(7))
    b = clutter(digits(5), np.random.default_rng(7))
    c = clutter(digits(5), np.random.default_rng(8))
    assert np.array_equal(a.images, b.images) and np.array_equal(a.corners, b.corners)
    assert not np.array_equal(a.images, c.images)


def test_bad_arguments() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="smaller"):
        clutter(digits(1), rng, canvas=20)
    with pytest.raises(ValueError, match="noise"):
        clutter(digits(1), rng, noise=2.0)
    with pytest.raises(ValueError, match="digits must be"):
        clutter(np.zeros((28, 28), np.uint8), rng)
