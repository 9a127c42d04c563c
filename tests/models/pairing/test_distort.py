"""Training-digit distortion: the right affine, a seeded draw, val and test left alone."""

from __future__ import annotations

import numpy as np
import pytest

from models.pairing.data import PairingData
from models.pairing.distort import Distortion, affine, distort, elastic_field
from models.pairing.mnist import Digits


def bar() -> np.ndarray:
    out = np.zeros((1, 28, 28), np.uint8)
    out[0, 4:24, 13:15] = 255  # a vertical "1"
    return out


def test_affine_rotates_about_the_centre() -> None:
    m = affine(90.0, 1.0, 0.0, 29)  # centre 14: a point 10 px right of it goes 10 px down
    assert np.allclose(m @ np.array([24.0, 14.0, 1.0]), [14.0, 24.0])
    assert np.allclose(m @ np.array([14.0, 14.0, 1.0]), [14.0, 14.0])
    m = affine(0.0, 2.0, 0.5, 29)
    assert np.allclose(m @ np.array([14.0, 16.0, 1.0]), [14.0 + 2.0, 18.0])


def test_no_distortion_is_the_identity_and_a_rotation_turns_the_bar() -> None:
    rng = np.random.default_rng(0)
    same = distort(bar(), rng, Distortion(0.0, 0.0, 0.0))
    assert np.array_equal(same, bar())
    spec = Distortion(degrees=45.0, scale=0.0, shear=0.0)
    turned = distort(np.repeat(bar(), 20, axis=0), np.random.default_rng(1), spec)
    widths = [(d.max(axis=0) > 0).sum() for d in turned]
    assert max(widths) > 8  # a vertical 2-px bar turned by up to 45° spans more columns
    assert all(abs(int(d.sum()) - int(bar().sum())) < 0.4 * bar().sum() for d in turned)


def test_seeded_and_bad_ranges() -> None:
    digits = np.repeat(bar(), 3, axis=0)
    a = distort(digits, np.random.default_rng(5), Distortion())
    b = distort(digits, np.random.default_rng(5), Distortion())
    assert np.array_equal(a, b) and not np.array_equal(a[0], a[1])
    with pytest.raises(ValueError, match="rotation"):
        Distortion(degrees=90.0)
    with pytest.raises(ValueError, match="scale"):
        Distortion(scale=0.7)
    with pytest.raises(ValueError, match="digits must be"):
        distort(np.zeros((28, 28), np.uint8), np.random.default_rng(0), Distortion())


def test_an_elastic_field_bends_the_strokes_smoothly_after_the_same_affine() -> None:
    xs, ys = elastic_field(np.random.default_rng(0), 28, 34.0, 4.0)
    grid_y, grid_x = np.mgrid[0:28, 0:28]
    dx, dy = xs - grid_x, ys - grid_y
    assert 0.3 < np.abs(dx).mean() < 5 and 0.3 < np.abs(dy).mean() < 5  # a few pixels at most
    assert np.abs(np.diff(dx, axis=1)).mean() < 0.3 * np.abs(dx).mean()  # smooth, not jitter
    assert np.array_equal(elastic_field(np.random.default_rng(0), 28, 0.0, 4.0)[0], grid_x)
    digits = np.repeat(bar(), 4, axis=0)
    affine_only = distort(digits, np.random.default_rng(3), Distortion())
    bent = distort(digits, np.random.default_rng(3), Distortion(elastic=34.0))
    again = distort(digits, np.random.default_rng(3), Distortion(elastic=34.0))
    assert np.array_equal(bent, again)
    assert all(not np.array_equal(x, y) for x, y in zip(affine_only, bent, strict=True))
    # the same affine draws: the bent bar stays where the affine put it, near the centre
    for x, y in zip(affine_only, bent, strict=True):
        cx = [float((np.arange(28) * img.sum(axis=0)).sum() / img.sum()) for img in (x, y)]
        assert abs(cx[0] - cx[1]) < 3
    with pytest.raises(ValueError, match="elastic must lie"):
        Distortion(elastic=-1.0)


def fake_digits() -> Digits:
    rng = np.random.default_rng(0)
    images = (rng.random((200, 28, 28)) > 0.8).astype(np.uint8) * 255
    return Digits(images, np.repeat(np.arange(10), 20))


def test_only_training_digits_are_distorted_and_pairs_do_not_change() -> None:
    plain = PairingData(fake_digits(), 60, 0.5, 3, 3)
    bent = PairingData(fake_digits(), 60, 0.5, 3, 3, Distortion())
    assert np.array_equal(plain.val.canvases, bent.val.canvases)
    assert np.array_equal(plain.test.canvases, bent.test.canvases)
    p, b = plain.train_epoch(0, 0), bent.train_epoch(0, 0)
    assert np.array_equal(p.pairs.a, b.pairs.a) and np.array_equal(p.corners, b.corners)
    assert not np.array_equal(p.canvases, b.canvases)
    assert not np.array_equal(b.canvases, bent.train_epoch(0, 1).canvases)
