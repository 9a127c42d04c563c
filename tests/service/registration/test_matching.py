"""The coarse search: the carrier's shape matched with a ring of background around it."""

from __future__ import annotations

import numpy as np

from service.registration.matching import best_match, match_map, peak
from service.registration.reference import matched_pixels

Array = np.ndarray


def carrier_shape() -> Array:
    shape = np.zeros((20, 24), np.float32)
    shape[6:14, 3:21] = 1.0  # the seat
    shape[0:6, 11:13] = 1.0  # the hanger
    return shape


def test_a_mask_leaves_out_what_lies_beyond_it() -> None:
    shape = carrier_shape()
    ring = np.zeros_like(shape)
    ring[:16, 1:23] = 1.0  # the carrier and a ring of background, not the bottom rows
    image = np.zeros((40, 50), np.float32)
    image[10:30, 15:39] = shape
    image[26:30, 15:39] = 1.0  # skis and legs under the seat: foreground the shape lacks
    plain, masked = match_map(image, shape), match_map(image, shape, ring)
    assert plain is not None and masked is not None
    assert peak(masked).score > 0.99 and (peak(masked).x, peak(masked).y) == (15, 10)
    assert plain[10, 15] < 0.9  # without the mask, the skis count against the carrier


def test_a_flat_window_scores_zero_not_nan() -> None:
    shape = carrier_shape()
    covered = np.ones((40, 50), np.float32)  # a nearer carrier covering everything
    result = match_map(covered, shape, np.ones_like(shape))
    assert result is not None and np.isfinite(result).all() and np.abs(result).max() < 1e-6


def test_an_image_smaller_than_the_shape_has_no_map() -> None:
    assert match_map(np.zeros((10, 10), np.float32), carrier_shape()) is None
    assert best_match(np.zeros((10, 10), np.float32), carrier_shape()).score == 0.0


def test_what_the_carrier_encloses_is_left_out_with_the_far_background() -> None:
    shape = np.zeros((20, 24), np.float32)
    shape[4:16, 4:20] = 1.0
    shape[7:13, 7:17] = 0.0  # the empty seat seen through the carrier: where passengers sit
    pixels = matched_pixels(shape)
    assert pixels[7:13, 7:17].sum() == 0  # enclosed: left out
    assert pixels[4:16, 4:20][shape[4:16, 4:20] > 0].all()  # the carrier itself
    assert pixels[2, 10] == 1 and pixels[0, 0] == 0  # a ring of SHAPE_RING pixels, no more
    assert pixels.dtype == np.float32
