"""The registrar recovers a carrier moved by a known similarity, and finds none in empty frames."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from service.registration import Registrar
from service.registration.geometry import homogeneous, roi_to_crop
from tests.service.registration.station import Scene, carrier_scene, moved

Array = np.ndarray

# (dx px, dy px, rotation degrees, scale): shifts ±20 px, rotations ±3°, scales ±5 %, mixed
MOTIONS = [
    (0, 0, 0, 1.0),
    (20, 0, 0, 1.0),
    (-20, 0, 0, 1.0),
    (0, 20, 0, 1.0),
    (0, -20, 0, 1.0),
    (14, -14, 0, 1.0),
    (0, 0, 3, 1.0),
    (0, 0, -3, 1.0),
    (0, 0, 0, 1.05),
    (0, 0, 0, 0.95),
    (12, -8, 2, 1.04),
    (-17, 9, -2.5, 0.96),
]


@pytest.fixture(scope="module", params=[3, 7], ids=lambda lift: f"lift{lift}")
def scene(request: pytest.FixtureRequest) -> Scene:
    return carrier_scene(request.param)


def motion_of(scene: Scene, dx: float, dy: float, degrees: float, scale: float) -> Array:
    """2×3 reference -> frame: about the ROI centre, then shifted."""
    x, y, w, h = scene.roi
    matrix = cv2.getRotationMatrix2D((x + w / 2.0, y + h / 2.0), degrees, scale)
    matrix[:, 2] += np.array([dx, dy])
    return matrix


def residual(scene: Scene, affine: Array, motion: Array) -> Array:
    """Reference -> reference map left by registering (identity when perfect)."""
    to_crop = roi_to_crop(scene.roi, 200)
    return np.linalg.inv(to_crop) @ homogeneous(affine) @ homogeneous(motion)


def corner_error(scene: Scene, left: Array) -> float:
    """Largest displacement (reference pixels) of the ROI's corners under ``left``."""
    x, y, w, h = scene.roi
    corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], float).T
    return float(np.linalg.norm((left @ corners - corners)[:2], axis=0).max())


@pytest.mark.parametrize("dx, dy, degrees, scale", MOTIONS)
def test_recovers_known_similarity(
    scene: Scene, dx: float, dy: float, degrees: float, scale: float
) -> None:
    motion = motion_of(scene, dx, dy, degrees, scale)
    registrar = Registrar(scene.reference, scene.roi, background=scene.background)
    result = registrar.register(moved(scene, motion))
    assert result.found and result.score >= 0.5
    left = residual(scene, result.affine, motion)
    assert corner_error(scene, left) <= 1.0
    assert abs(np.degrees(np.arctan2(left[1, 0], left[0, 0]))) <= 0.5
    assert abs(np.sqrt(np.linalg.det(left[:2, :2])) - 1.0) <= 0.005
    centre_shift = np.asarray(result.offset) - (dx, dy)
    assert np.linalg.norm(centre_shift) <= 1.0
    assert abs(result.scale - scale) <= 0.005 * scale


def test_a_carrier_partly_out_of_the_frame_is_found(scene: Scene) -> None:
    """The search reaches beyond the frame's edge: what is not in the picture counts as
    background, so a carrier cut by the edge still matches where it really is."""
    _, y, _, h = scene.roi
    height = scene.reference.shape[0]
    dy = height - (y + h) + h // 6  # the ROI's bottom sixth below the frame
    registrar = Registrar(scene.reference, scene.roi, background=scene.background)
    result = registrar.register(moved(scene, motion_of(scene, 0, dy, 0, 1.0)))
    assert result.found
    assert np.linalg.norm(np.asarray(result.offset) - (0, dy)) <= 2.0


def test_recovered_crop_is_the_reference_crop(scene: Scene) -> None:
    motion = motion_of(scene, 12, -8, 2, 1.04)
    result = Registrar(scene.reference, scene.roi, background=scene.background).register(
        moved(scene, motion)
    )
    assert result.crop is not None and result.crop.shape == (200, 200, 3)
    expected = cv2.warpAffine(scene.reference, roi_to_crop(scene.roi, 200)[:2], (200, 200))
    carrier = cv2.warpAffine(scene.labels, roi_to_crop(scene.roi, 200)[:2], (200, 200)) > 0
    carrier = cv2.erode(carrier.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    diff = np.abs(result.crop.astype(float) - expected.astype(float)).mean(axis=2)
    assert diff[carrier].mean() < 12.0  # grey levels, inside the carrier


def test_empty_frame_is_not_found(scene: Scene) -> None:
    registrar = Registrar(scene.reference, scene.roi, background=scene.background)
    result = registrar.register(scene.background)
    assert not result.found and result.crop is None and result.score < 0.5


def test_noise_is_not_found(scene: Scene) -> None:
    noise = np.random.default_rng(0).integers(0, 256, scene.reference.shape, dtype=np.uint8)
    registrar = Registrar(scene.reference, scene.roi, background=scene.background)
    assert not registrar.register(noise).found
    assert not registrar.register(scene.background).found


def test_learns_an_empty_scene_from_the_first_frame(scene: Scene) -> None:
    """Without a background, the first frame seeds it: empty frames stay empty."""
    registrar = Registrar(scene.reference, scene.roi)
    assert not any(registrar.register(scene.background).found for _ in range(3))
    assert registrar.register(moved(scene, motion_of(scene, 10, 0, 0, 1.0))).found


def test_rejects_frames_of_another_size(scene: Scene) -> None:
    registrar = Registrar(scene.reference, scene.roi)
    with pytest.raises(ValueError, match="frame shape"):
        registrar.register(scene.reference[:100])


@pytest.mark.parametrize("roi", [[0, 0, 0, 10], [600, 300, 100, 100], [1, 2, 3]])
def test_rejects_bad_roi(scene: Scene, roi: list[int]) -> None:
    with pytest.raises(ValueError):
        Registrar(scene.reference, roi)
