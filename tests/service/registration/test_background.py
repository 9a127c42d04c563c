"""The background model learns the scene, not the carriers, and recovers from changes."""

from __future__ import annotations

import numpy as np

from service.registration import BackgroundModel

Array = np.ndarray


def scene(seed: int = 0) -> Array:
    return np.random.default_rng(seed).uniform(40, 220, (36, 64, 3)).astype(np.float32)


def with_object(frame: Array, x: int, value: float = 10.0) -> Array:
    out = frame.copy()
    out[10:20, x : x + 8] = value
    return out


def test_passing_objects_are_not_learned() -> None:
    empty = scene()
    model = BackgroundModel(empty)
    for x in range(0, 56, 2):  # an object crosses the frame, twenty-eight frames
        model.update(with_object(empty, x))
    assert model.image is not None
    assert np.abs(model.image - empty).max() < 1e-3
    fg = BackgroundModel.foreground(model.distance(with_object(empty, 30)))
    assert fg[10:20, 30:38].min() == 1.0 and fg[:8].max() == 0.0


def test_slow_light_changes_are_followed() -> None:
    empty = scene()
    model = BackgroundModel(empty, rate=0.1)
    for _ in range(60):
        model.update(empty + 8.0)
    assert model.image is not None
    assert np.abs(model.image - (empty + 8.0)).max() < 0.1


def test_a_lasting_change_is_absorbed() -> None:
    empty = scene()
    parked = with_object(empty, 20)
    model = BackgroundModel(empty, absorb_frames=10)
    for _ in range(9):
        model.update(parked)
    assert BackgroundModel.foreground(model.distance(parked)).max() == 1.0
    model.update(parked)
    assert BackgroundModel.foreground(model.distance(parked)).max() == 0.0


def test_carriers_following_one_another_are_never_absorbed() -> None:
    """Dense traffic: the same pixels changed for longer than ``absorb_frames``, but by carriers
    of other colours one after another, never by one thing standing still."""
    empty = scene()
    model = BackgroundModel(empty, absorb_frames=10)
    for k in range(40):
        model.update(with_object(empty, 20, value=(10.0, 90.0, 250.0)[k // 3 % 3]))
    assert model.image is not None
    assert np.abs(model.image - empty).max() < 1e-3
    assert BackgroundModel.foreground(model.distance(with_object(empty, 20))).max() == 1.0


def test_restarts_when_the_picture_changes_for_good_not_for_one_frame() -> None:
    first, second = scene(0), scene(1)
    model = BackgroundModel(first, reset_frames=3)
    model.update(second)  # one odd frame: nothing learned
    model.update(first)
    assert model.version == 1 and np.abs(model.image - first).max() < 1e-3
    for _ in range(3):
        model.update(second)
    assert model.version == 2
    assert np.abs(model.image - second).max() < 1e-3


def test_first_frame_seeds_an_empty_model() -> None:
    model = BackgroundModel()
    assert model.image is None
    assert model.distance(scene()).max() == 0.0
    model.update(scene())
    assert model.image is not None and model.version == 1
