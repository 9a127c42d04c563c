"""Registration of a synthetic station video, against the generator's own ground truth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from models.synthetic.samples import DEFAULT_DIFFICULTY
from models.synthetic.scene import registration_affine
from models.synthetic.video import _plan  # the generator's timeline: where every carrier is
from service.registration import Registrar, Registration
from service.registration.geometry import homogeneous, roi_to_crop
from tests.service.registration.station import FPS, LIFT, PASSAGES, SEED, Station, world

Array = np.ndarray


@pytest.fixture(scope="module")
def registered(synthetic_station: Station) -> list[Registration]:
    cfg = synthetic_station.config
    registrar = Registrar(
        synthetic_station.reference, cfg["roi"], cfg["search"], cfg["crop"], cfg["min_score"]
    )
    return [registrar.register(frame) for frame in synthetic_station.frames]


def generator_affine(passage: int, frame: int) -> Array:
    """3×3 frame -> reference pixels of the generator: the carrier's box put back in place."""
    timeline = _plan(world(), LIFT, PASSAGES, SEED, FPS, DEFAULT_DIFFICULTY, 0.25).timeline
    lift = timeline.lift
    state = timeline.state(timeline.passages[passage], frame)
    assert state is not None
    return homogeneous(registration_affine(lift, state, lift.camera, (0.0, 0.0, 0.0, 0.0)))


def test_every_departure_is_registered(
    synthetic_station: Station, registered: list[Registration]
) -> None:
    min_score = synthetic_station.config["min_score"]
    for p in synthetic_station.truth.passages:
        result = registered[p.departure_frame]
        assert result.found and result.score >= min_score, p
        assert result.crop is not None and result.crop.shape == (200, 200, 3)
        assert np.hypot(*result.offset) <= 12.0, (p.passage, result.offset)


def test_departure_crops_match_the_generator(
    synthetic_station: Station, registered: list[Registration]
) -> None:
    x, y, w, h = synthetic_station.config["roi"]
    corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], float).T
    to_crop = roi_to_crop((x, y, w, h), 200)
    for p in synthetic_station.truth.passages:
        result = registered[p.departure_frame]
        truth = generator_affine(p.passage, p.departure_frame)
        ours = np.linalg.inv(to_crop) @ homogeneous(result.affine)
        seen = np.linalg.inv(truth) @ corners  # the ROI's corners where the carrier is seen
        error = np.linalg.norm((ours @ seen - corners)[:2], axis=0).max()
        assert error <= 4.0, (p.passage, error)  # reference pixels, at the ROI's corners
        centre = np.array([x + w / 2.0, y + h / 2.0, 1.0])
        offset = (np.linalg.inv(truth) @ centre - centre)[:2]
        assert np.hypot(*(np.asarray(result.offset) - offset)) <= 2.0, (p.passage, offset)
        frame = synthetic_station.frames[p.departure_frame]
        expected = cv2.warpAffine(frame, (to_crop @ truth)[:2], (200, 200))
        assert result.crop is not None
        grey = [cv2.cvtColor(c, cv2.COLOR_BGR2GRAY).astype(float) for c in (result.crop, expected)]
        assert np.corrcoef(grey[0].ravel(), grey[1].ravel())[0, 1] >= 0.9, p.passage


def test_frames_without_carrier_near_are_not_found(
    synthetic_station: Station, registered: list[Registration]
) -> None:
    passages = synthetic_station.truth.passages
    before = range(passages[0].first_frame)  # nothing even half in sight yet
    after = range(passages[-1].last_frame + 1, synthetic_station.truth.frames)
    assert len(before) >= 3 and len(after) >= 3
    assert not any(registered[k].found for k in [*before, *after])
