"""The reference carrier is told apart from a background filmed in another light."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from models.synthetic.weather import Conditions, apply_conditions
from service.registration.carrier_mask import carrier_mask
from service.registration.pyramid import Scales
from tests.service.registration.station import carrier_scene

Array = np.ndarray


def weathered(background: Array, light: str, fog: float) -> Array:
    """``background`` as the camera sees it on a bad day: fog, noise, JPEG."""
    cond = Conditions(light, 0.9, fog, 0, 0.0, (0.5, 0.3), 6.0, 60, 0.0, 0.0)
    labels = np.zeros(background.shape[:2], np.uint8)
    return apply_conditions(background, labels, cond, np.random.default_rng(0))


@pytest.mark.parametrize(
    "lift, light, fog",
    [(3, "sun", 0.0), (3, "overcast", 0.4), (7, "dusk", 0.0), (8, "fog", 0.5), (2, "snow", 0.2)],
)
def test_mask_covers_the_carrier_in_any_light(lift: int, light: str, fog: float) -> None:
    reference = carrier_scene(lift)  # in the reference's light
    background = weathered(carrier_scene(lift, light).background, light, fog)
    scales = Scales(640, 360)
    roi = scales.small_box(reference.roi, inner=True)
    mask = carrier_mask(scales.small(reference.reference), scales.small(background), roi) > 0
    truth = scales.small((reference.labels > 0).astype(np.uint8) * 255) > 127
    x, y, w, h = roi
    outside = np.ones_like(mask)
    outside[y : y + h, x : x + w] = False
    assert not mask[outside].any()
    found, expected = mask[y : y + h, x : x + w], truth[y : y + h, x : x + w]
    assert (found & expected).sum() / expected.sum() >= 0.7  # recall
    near = cv2.dilate(expected.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert (found & near).sum() / max(1, found.sum()) >= 0.9  # precision, give or take 2 px


def test_no_carrier_no_mask() -> None:
    scene = carrier_scene(3)
    scales = Scales(640, 360)
    small = scales.small(scene.background)
    mask = carrier_mask(small, small, scales.small_box(scene.roi, inner=True))
    assert mask.sum() == 0
