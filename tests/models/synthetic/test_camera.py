import numpy as np
import pytest

from models.synthetic.camera import Camera


@pytest.fixture
def camera() -> Camera:
    return Camera.looking_at(np.array([0.0, 0.5, 0.2]), 0.6, 0.2, 0.05, 7.0, 500.0, 640, 360)


def test_target_projects_to_the_principal_point(camera: Camera) -> None:
    uv, depth = camera.project(np.array([[0.0, 0.5, 0.2]]))
    assert uv[0] == pytest.approx([320.0, 180.0], abs=1e-6)
    assert depth[0] == pytest.approx(7.0)


def test_up_in_the_world_is_up_in_the_image(camera: Camera) -> None:
    uv, _ = camera.project(np.array([[0.0, 0.5, 0.2], [0.0, 1.5, 0.2]]))
    assert uv[1, 1] < uv[0, 1] - 10


def test_crop_camera_sees_the_roi_scaled(camera: Camera) -> None:
    roi = (200.0, 100.0, 160.0, 160.0)
    crop = camera.crop(roi, 200)
    points = np.random.default_rng(0).uniform(-1, 1, (20, 3)) + [0.0, 0.5, 0.2]
    full, _ = camera.project(points)
    cropped, _ = crop.project(points)
    expected = (full - [roi[0], roi[1]]) * (200 / roi[2])
    np.testing.assert_allclose(cropped, expected, atol=1e-9)
