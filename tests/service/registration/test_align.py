"""The similarity aligner on a plain textured image, and against what it cannot follow."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from service.registration.align import SimilarityAligner
from service.registration.geometry import homogeneous


def texture(seed: int = 0, size: int = 160) -> np.ndarray:
    noise = np.random.default_rng(seed).uniform(0, 255, (size, size)).astype(np.float32)
    return cv2.GaussianBlur(noise, (0, 0), 3.0) * 4.0 - 380.0


@pytest.mark.parametrize(
    "degrees, scale, dx, dy",
    [(0, 1.0, 2.0, -1.5), (3, 1.0, 0, 0), (-2, 1.05, 1, 1), (2, 0.95, -2, 0)],
)
def test_recovers_similarity_with_light_change(
    degrees: float, scale: float, dx: float, dy: float
) -> None:
    image = texture()
    true = homogeneous(cv2.getRotationMatrix2D((80, 80), degrees, scale))  # template -> image
    true[:2, 2] += (dx, dy)
    box = (30, 30, 100, 100)  # the template: part of the image, before the motion
    warped = cv2.warpAffine(image, np.linalg.inv(true)[:2], (160, 160))  # template coordinates
    template = warped[30:130, 30:130]
    mask = np.full(template.shape, 255, np.uint8)
    aligner = SimilarityAligner(template, mask)
    start = np.eye(3)
    start[:2, 2] = box[:2]  # template pixels -> image pixels, unmoved
    found = aligner.align(image * 0.7 + 25.0, start)  # another exposure
    assert found is not None and found.correlation > 0.99
    expected = true @ start
    corners = np.array([[0, 0, 1], [99, 0, 1], [0, 99, 1], [99, 99, 1]], float).T
    assert np.abs(found.warp @ corners - expected @ corners).max() <= 0.1


def test_too_small_a_mask_is_unusable() -> None:
    mask = np.zeros((50, 50), np.uint8)
    mask[:2, :5] = 255
    assert not SimilarityAligner(texture()[:50, :50], mask).usable
