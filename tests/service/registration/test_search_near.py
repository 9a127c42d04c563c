"""The registrar looks where the followed carrier should be before searching everywhere."""

from __future__ import annotations

import numpy as np

from service.registration import Registrar, SearchHint
from service.registration.matching import peak
from tests.service.registration.station import Scene, carrier_scene, moved


def shifted(scene: Scene, dx: float, dy: float) -> np.ndarray:
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])


def two_carriers(scene: Scene, first: float, second: float) -> np.ndarray:
    """The carrier twice, ``first`` and ``second`` pixels right of its reference place."""
    a = moved(scene, shifted(scene, first, 0))
    b = moved(scene, shifted(scene, second, 0))
    return np.where((a != scene.background).any(axis=2, keepdims=True), a, b)


def test_peak_prefers_the_window_around_near() -> None:
    result = np.zeros((20, 30), np.float32)
    result[5, 25] = 0.9  # the global best
    result[12, 4] = 0.6  # the best near (5, 10)
    assert peak(result).x == 25
    local = peak(result, (5.0, 10.0), 3.0)
    assert (local.x, local.y, round(local.score, 2)) == (4, 12, 0.6)


def test_peak_near_a_point_outside_the_map_finds_nothing() -> None:
    result = np.zeros((10, 10), np.float32)
    result[2, 3] = 0.7
    assert peak(result, (500.0, 500.0), 5.0).score == -1.0
    assert peak(result, (8.0, 8.0), 2.0).score == 0.0  # inside, but away from the peak


def test_near_keeps_the_followed_carrier_when_another_is_in_sight() -> None:
    scene = carrier_scene(3)
    width = scene.roi[2]
    frame = two_carriers(scene, -0.45 * width, 0.45 * width)
    registrar = Registrar(scene.reference, scene.roi, background=scene.background, learn=False)
    for expected in (-0.45 * width, 0.45 * width):
        result = registrar.register(frame, SearchHint(near=(expected, 0.0), radius=0.2 * width))
        assert result.found
        assert abs(result.offset[0] - expected) <= 3.0, (result.offset, expected)


def test_near_with_no_carrier_there_searches_everywhere() -> None:
    scene = carrier_scene(3)
    width = scene.roi[2]
    frame = moved(scene, shifted(scene, 0.4 * width, 0))
    registrar = Registrar(scene.reference, scene.roi, background=scene.background, learn=False)
    result = registrar.register(frame, SearchHint(near=(-0.4 * width, 0.0), radius=0.1 * width))
    assert result.found and abs(result.offset[0] - 0.4 * width) <= 3.0


def test_avoid_turns_the_search_to_the_other_carrier() -> None:
    scene = carrier_scene(3)
    width = scene.roi[2]
    frame = two_carriers(scene, -0.45 * width, 0.45 * width)
    registrar = Registrar(scene.reference, scene.roi, background=scene.background, learn=False)
    first = registrar.register(frame)
    assert first.found
    hint = SearchHint(avoid=first.offset, radius=0.2 * width)
    other = registrar.register(frame, hint)
    assert other.found and abs(other.offset[0] + first.offset[0]) <= 3.0, (first, other)


def test_peak_avoid_masks_the_window() -> None:
    result = np.zeros((20, 30), np.float32)
    result[5, 25] = 0.9
    result[12, 4] = 0.6
    assert (peak(result, avoid=(25.0, 5.0), radius=2.0).x, peak(result).x) == (4, 25)


def test_keep_score_holds_a_followed_carrier_that_scores_below_min_score() -> None:
    scene = carrier_scene(3)
    frame = moved(scene, shifted(scene, 10, 0))
    strict = Registrar(scene.reference, scene.roi, background=scene.background, learn=False)
    score = strict.register(frame).score
    registrar = Registrar(
        scene.reference,
        scene.roi,
        background=scene.background,
        learn=False,
        min_score=score + 0.05,
        keep_score=score - 0.05,
    )
    assert not registrar.register(frame).found  # a new carrier needs min_score
    assert registrar.register(frame, SearchHint(near=(10.0, 0.0))).found
    assert not registrar.register(frame, SearchHint(near=(-200.0, 0.0), radius=20)).found


def test_align_false_finds_the_carrier_without_cropping_it() -> None:
    scene = carrier_scene(3)
    frame = moved(scene, shifted(scene, 40, 0))
    registrar = Registrar(scene.reference, scene.roi, background=scene.background, learn=False)
    aligned = registrar.register(frame)
    coarse = registrar.register(frame, SearchHint(align=False))
    assert aligned.found and aligned.crop is not None
    assert coarse.found and coarse.crop is None and coarse.score == aligned.score
    assert abs(coarse.offset[0] - 40) <= registrar.scales.coarse  # the coarse grid's step
