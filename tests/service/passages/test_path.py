"""The carriers' path learned from past passages, and the departure it fits to a new track."""

from __future__ import annotations

import pytest

from service.passages import PassageTracker
from service.passages.events import Offset
from service.passages.path import CarrierPath
from tests.service.passages.test_tracker import empty, ended, run


def along(dt: int) -> Offset:
    """A lift's path: the carrier speeds up as it nears the camera, 0.8 to 3.2 px a frame."""
    x = -2.0 * dt - 0.02 * dt * dt
    return x, 0.2 * x


def slid_off(dt: int) -> Offset:
    """What a registration that slid off the carrier at ``dt`` = -8 holds: 30 px behind it
    then, drifting at a quarter of the carrier's speed."""
    x = along(-8)[0] + 30.0 - 0.5 * (dt + 8)
    return x, 0.2 * x


def passage(departure: int, first: int = -30, last: int = 30) -> tuple[list[int], list[Offset]]:
    frames = list(range(departure + first, departure + last + 1))
    return frames, [along(f - departure) for f in frames]


def test_the_path_is_known_once_enough_passages_have_been_seen() -> None:
    path = CarrierPath(min_passages=3)
    for departure in (100, 200):
        path.learn(*passage(departure), departure)
    assert path.at(0) is None and path.fit(*passage(300)) is None
    frames, offsets = passage(400)
    # a passage whose last 25 frames were registered on something 40 px off
    stray = [
        (x + 40.0, y) if f > 405 else (x, y) for f, (x, y) in zip(frames, offsets, strict=True)
    ]
    path.learn(frames, stray, 400)
    for dt in (-30, 0, 10, 30):
        assert path.at(dt) == pytest.approx(along(dt), abs=0.01)  # the stray frames left out
    assert path.at(46) is None  # beyond the span described


def test_the_fit_finds_the_departure_of_a_track_that_slides_off_near_it() -> None:
    path = CarrierPath()
    for departure in (100, 200, 300):
        path.learn(*passage(departure), departure)
    frames, offsets = passage(500)
    # from 8 frames before its departure the registration holds something else, 30 px behind
    # and drifting slowly: the frame nearest the reference position comes 9 frames early
    slid = [
        (x, y) if f < 492 else slid_off(f - 500) for f, (x, y) in zip(frames, offsets, strict=True)
    ]
    nearest = min(zip(frames, slid, strict=True), key=lambda p: abs(p[1][0]))[0]
    assert nearest == 491
    fit = path.fit(frames, slid)
    assert fit is not None and fit.departure == 500
    assert fit.inliers == 22 and fit.error == pytest.approx(0.0, abs=1e-9)


def test_passages_learned_with_late_departures_do_not_make_the_next_one_late() -> None:
    # the passages taught to the path were given departures 6 frames late (at the frame the
    # carrier was 6 frames past the reference position): the path still departs where the
    # carrier is at the reference position, so the next passage is not made as late
    path = CarrierPath()
    for departure in (100, 200, 300):
        frames, offsets = passage(departure)
        path.learn(frames, offsets, departure + 6)
    assert path.at(0) == pytest.approx((0.0, 0.0), abs=0.3)
    assert path.at(-6) == pytest.approx(along(-6), abs=0.3)
    fit = path.fit(*passage(500))
    assert fit is not None and fit.departure == 500


def test_passages_learned_with_scattered_departures_still_teach_the_path() -> None:
    # the first passages' departures came from their nearest approach, some well off (a
    # carrier half hidden): each is taken again on the path they make, then the path refit
    path = CarrierPath()
    for departure, error in ((100, -10), (200, 7), (300, 12)):
        frames, offsets = passage(departure)
        path.learn(frames, offsets, departure + error)
    for dt in (-30, -10, 0, 10, 30):
        assert path.at(dt) == pytest.approx(along(dt), abs=0.5)
    fit = path.fit(*passage(500))
    assert fit is not None and fit.departure == 500


def test_too_few_frames_on_the_path_give_no_fit() -> None:
    path = CarrierPath(min_inliers=8)
    for departure in (100, 200, 300):
        path.learn(*passage(departure), departure)
    frames, offsets = passage(500)
    assert path.fit(frames, [(x + 40.0, y) for x, y in offsets]) is None  # nothing fits
    assert path.fit(frames[:7], offsets[:7]) is None  # too short a track


def test_a_match_stuck_in_place_fits_no_departure() -> None:
    path = CarrierPath()
    for departure in (100, 200, 300):
        path.learn(*passage(departure), departure)
    # 60 frames on something still, 42 px before the departure point, where the path is slow
    # (about 10 of its frames within 6 px): enough frames fit, but they span nothing
    assert path.fit(list(range(500, 560)), [along(-30)] * 60) is None
    frames, offsets = passage(600, first=-30, last=0)
    fit = path.fit(frames, offsets)
    assert fit is not None and (fit.departure, fit.inliers) == (600, 31)


def test_passages_seen_at_a_few_frames_only_teach_no_path() -> None:
    path = CarrierPath()
    for departure in (100, 200, 300, 400):
        path.learn(
            [departure - 1, departure, departure + 1], [along(-1), (0.0, 0.0), along(1)], departure
        )
    assert path.at(0) is None and path.fit(*passage(500)) is None


def test_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="min_passages"):
        CarrierPath(min_passages=5, memory=3)


def test_the_tracker_departs_a_sliding_carrier_where_its_path_says() -> None:
    def carrier(slide_from: int | None = None) -> list[tuple[bool, float]]:
        steps = []
        for dt in range(-30, 31):
            slid = slide_from is not None and dt >= slide_from
            steps.append((True, slid_off(dt)[0] if slid else along(dt)[0]))
        return steps

    clean = [*carrier(), *empty(10)]
    sliding = [*carrier(slide_from=-8), *empty(10)]
    steps = [*clean, *clean, *clean, *sliding]
    # carriers depart at least 2 s apart: what the registration slid to is no second passage
    with_path = ended(run(steps, PassageTracker(min_interval=2.0)))
    without = ended(run(steps, PassageTracker(min_interval=2.0, path=CarrierPath(99, 99))))
    assert [p.departure_frame for p in with_path] == [30, 101, 172, 243]
    assert without[-1].departure_frame <= 243 - 9  # frames early: the slid match is far behind


def test_a_carrier_stopped_for_long_still_departs_where_it_crosses() -> None:
    # the lift stops for 500 frames with the carrier 40 px before its departure point: the
    # path is fit to the track's last frames while it is followed, to all of it at its end
    def carrier(stop: int = 0) -> list[tuple[bool, float]]:
        before = [(True, along(dt)[0]) for dt in range(-30, -20)]
        stopped = [(True, along(-20)[0])] * stop
        return [*before, *stopped, *[(True, along(dt)[0]) for dt in range(-20, 31)]]

    clean = [*carrier(), *empty(10)]
    steps = [*clean, *clean, *clean, *carrier(stop=500), *empty(10)]
    tracker = PassageTracker(min_interval=2.0)
    passages = ended(run(steps, tracker))
    assert [p.departure_frame for p in passages] == [30, 101, 172, 243 + 500]
    assert len(passages[-1].frames) == 561
