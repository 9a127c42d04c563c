"""Pixel maps between the frame, its downscaled copies and the crop."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from models.synthetic.lift import make_lift
from models.synthetic.scene import crop_background
from service.registration.geometry import (
    apply,
    plausible,
    roi_to_crop,
    snap,
    to_small,
    translation,
)
from service.registration.pyramid import Scales


def test_to_small_follows_cv2_resize() -> None:
    """A bright pixel lands where the map says in the area-downscaled image."""
    image = np.zeros((64, 96), np.float32)
    image[20:24, 40:44] = 1.0  # one coarse pixel at factor 4: (10, 5)
    small = Scales(96, 64).small(image)
    assert np.unravel_index(np.argmax(small), small.shape) == (5, 10)
    x, y = apply(to_small(4), (41.5, 21.5))  # the block's centre
    assert (x, y) == pytest.approx((10.0, 5.0))
    x, y = apply(to_small(2, (40, 20)), (41.5, 21.5))  # half scale, region at (40, 20)
    assert (x, y) == pytest.approx((0.5, 0.5))


def test_crop_map_is_the_generators() -> None:
    """The registered crop of an unmoved frame is ``crop_background``'s."""
    lift = make_lift(3)
    frame = np.random.default_rng(0).integers(0, 256, (360, 640, 3), dtype=np.uint8)
    x, y, w, h = (int(v) for v in lift.roi)
    to_crop = roi_to_crop((x, y, w, h), 200)[:2]
    ours = cv2.warpAffine(frame, to_crop, (200, 200), borderMode=cv2.BORDER_REFLECT)
    theirs = crop_background(frame, lift, 200, np.eye(3)[:2])
    assert np.array_equal(ours, theirs)


def test_snap_keeps_boxes_aligned_inside_the_frame() -> None:
    assert snap((3, 5, 10, 10), 2, 640, 360) == (2, 4, 12, 12)
    assert snap((630, -3, 20, 20), 4, 640, 360) == (628, 0, 12, 20)


@pytest.mark.parametrize(
    "matrix, ok",
    [
        (translation(3, -2), True),
        (cv2.getRotationMatrix2D((50, 50), 4, 1.06), True),
        (cv2.getRotationMatrix2D((50, 50), 0, 1.4), False),  # too large
        (np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.0]]), False),  # sheared
        (np.array([[-1.0, 0.0, 100.0], [0.0, 1.0, 0.0]]), False),  # mirrored
        (translation(40, 0), False),  # wandered off
    ],
)
def test_plausible_motions(matrix: np.ndarray, ok: bool) -> None:
    assert plausible(matrix, translation(0, 0), (100, 100)) is ok
