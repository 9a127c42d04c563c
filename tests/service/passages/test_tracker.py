"""Passages from synthetic sequences of registrations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest

from service.passages import (
    PassageEnded,
    PassageEvent,
    PassageFrame,
    PassageStarted,
    PassageTracker,
)

FPS = 20.0
Step = tuple[bool, float]  # found, horizontal offset (pixels)


def sweep(start: float, stop: float, step: float) -> list[Step]:
    """A carrier crossing from ``start`` to ``stop`` px, ``step`` px a frame."""
    n = round((stop - start) / step)
    return [(True, start + k * step) for k in range(n + 1)]


def empty(n: int) -> list[Step]:
    return [(False, 0.0)] * n


def run(steps: Sequence[Step], tracker: PassageTracker | None = None) -> list[PassageEvent]:
    tracker = tracker or PassageTracker()
    events: list[PassageEvent] = []
    for frame, (found, dx) in enumerate(steps):
        events += tracker.update(frame, frame / FPS, found, (dx, 0.3 * dx), 0.7 if found else 0.1)
    return events + tracker.finish()


def ended(events: Iterable[PassageEvent]) -> list[PassageEnded]:
    return [e for e in events if isinstance(e, PassageEnded)]


def test_clean_passage() -> None:
    steps = empty(5) + sweep(100, -100, -10) + empty(5)  # frames 5..25, zero at 15
    events = run(steps)
    assert [type(e) for e in events[:2]] == [PassageStarted, PassageFrame]
    (p,) = ended(events)
    assert (p.passage, p.first_frame, p.last_frame, p.departure_frame) == (0, 5, 25, 15)
    assert p.frames == tuple(range(5, 26))
    assert p.departure_offset == (0.0, 0.0) and p.departure_timestamp == pytest.approx(15 / FPS)
    frames = [e.frame for e in events if isinstance(e, PassageFrame)]
    assert frames == list(range(5, 26))
    assert isinstance(events[-1], PassageEnded)


def test_passage_ends_once_the_gap_is_exceeded() -> None:
    tracker = PassageTracker(gap=3)
    steps = sweep(100, -100, -10)  # frames 0..20
    events: list[PassageEvent] = []
    for frame, (found, dx) in enumerate([*steps, *empty(4)]):
        events += tracker.update(frame, frame / FPS, found, (dx, 0.0), 0.7)
        assert not ended(events) or frame == 24  # 21, 22, 23 missed: still open
    assert [p.last_frame for p in ended(events)] == [20]


def test_missed_frames_inside_a_passage() -> None:
    steps = sweep(100, -100, -10)  # at the departure point in frame 10
    for k in (4, 9, 10, 11, 15):  # one miss, three in a row around the departure, one more
        steps[k] = (False, 0.0)
    (p,) = ended(run(steps, PassageTracker(gap=3)))
    assert (p.first_frame, p.last_frame) == (0, 20)
    assert p.departure_frame in (8, 12)  # the closest frames registered
    assert 10 not in p.frames and len(p.frames) == 16


def test_a_longer_gap_splits() -> None:
    steps = sweep(100, -100, -10)
    for k in range(8, 13):
        steps[k] = (False, 0.0)
    passages = ended(run(steps, PassageTracker(gap=3)))
    assert [(p.first_frame, p.last_frame) for p in passages] == [(0, 7), (13, 20)]


def test_two_carriers_back_to_back() -> None:
    steps = sweep(100, -100, -10) + sweep(110, -100, -10)  # the next one shows at once
    passages = ended(run(steps))
    assert [(p.first_frame, p.departure_frame, p.last_frame) for p in passages] == [
        (0, 10, 20),
        (21, 32, 42),
    ]
    assert [p.passage for p in passages] == [0, 1]


def test_two_carriers_in_sight_the_match_flipping() -> None:
    """The next carrier takes over the match, which flips back to the leaving one now and then."""
    steps = sweep(100, -60, -10) + sweep(100, -100, -10)  # the second from frame 17
    steps[19] = (True, -95.0)  # the first carrier, further on, matched once more
    steps[25] = (True, -140.0)  # and again, after the second has taken over: ignored
    passages = ended(run(steps))
    assert [(p.first_frame, p.departure_frame, p.last_frame) for p in passages] == [
        (0, 10, 19),
        (17, 27, 37),
    ]
    assert 19 in passages[0].frames
    assert 19 not in passages[1].frames and 25 not in passages[1].frames


def test_spurious_detections_are_not_passages() -> None:
    steps = empty(10)
    steps[3] = (True, 40.0)
    steps[7] = (True, -30.0)
    steps[8] = (True, -30.0)
    assert run(steps, PassageTracker(min_frames=3)) == []


def test_passage_events_wait_for_min_frames() -> None:
    tracker = PassageTracker(min_frames=3)
    assert tracker.update(0, 0.0, True, (50.0, 0.0), 0.7) == []
    assert tracker.update(1, 0.05, True, (40.0, 0.0), 0.7) == []
    events = tracker.update(2, 0.1, True, (30.0, 0.0), 0.7)
    assert events[0] == PassageStarted(0, 0, 0.0)
    assert [e.frame for e in events[1:] if isinstance(e, PassageFrame)] == [0, 1, 2]
    assert tracker.passages == 1


def test_frames_must_increase() -> None:
    tracker = PassageTracker()
    tracker.update(5, 0.0, False, (0.0, 0.0), 0.0)
    with pytest.raises(ValueError, match="increase"):
        tracker.update(5, 0.0, False, (0.0, 0.0), 0.0)


def test_the_departure_is_where_the_carrier_crosses_along_its_path() -> None:
    # the first carrier teaches the direction (-x); the second is registered 30 px off the
    # path until just past the reference position: its smallest |offset| (-20, 0) comes two
    # frames after it crossed (0, 30)
    tracker = PassageTracker(gap=1)
    first = [(float(x), 0.0) for x in range(50, -51, -10)]
    second = [(float(x), 30.0 if x >= -10 else 0.0) for x in range(50, -51, -10)]
    events: list[PassageEvent] = []
    for frame, offset in enumerate([*first, None, None, None, *second]):
        found = offset is not None
        events += tracker.update(frame, frame / FPS, found, offset or (0.0, 0.0), 0.7)
    a, b = ended(events + tracker.finish())
    assert a.departure_frame == 5 and a.departure_offset == (0.0, 0.0)
    assert b.departure_frame == 14 + 5 and b.departure_offset == (0.0, 30.0)
    assert tracker.departure_cost((0.0, 30.0)) < tracker.departure_cost((-20.0, 0.0))


def test_one_stray_match_at_the_reference_position_is_not_the_departure() -> None:
    # the carrier crosses at frame 10; at frame 5, still 50 px away, the registration took
    # something else right at the reference position (close enough to stay in the track)
    steps = sweep(100, -100, -10)
    steps[5] = (True, 0.0)
    (p,) = ended(run(steps))
    assert p.departure_frame == 10 and p.departure_offset == (0.0, 0.0)
    assert 5 in p.frames  # kept in the passage, only not taken for its departure


def test_a_track_never_near_the_departure_point_is_no_passage() -> None:
    # a carrier passing 10 px from the reference position, then a piece of one leaving, seen
    # from 40 px past it onwards (as a leaving carrier is matched piecewise)
    near = [(True, x) for x in range(60, -61, -10)]
    piece = [(True, x) for x in range(-40, -101, -10)]
    tracker = PassageTracker(gap=1, reach=15.0)
    events: list[PassageEvent] = []
    for frame, (found, dx) in enumerate([*near, *empty(3), *piece, *empty(3)]):
        events += tracker.update(frame, frame / FPS, found, (dx, 8.0), 0.7)
    (p,) = ended(events + tracker.finish())
    assert p.departure_frame == 6 and tracker.passages == 1
    started = [e for e in events if isinstance(e, PassageStarted)]
    assert started == [PassageStarted(0, 0, 0.0)]  # announced once it came within reach


def test_a_passage_is_announced_once_it_comes_within_reach() -> None:
    tracker = PassageTracker(min_frames=2, reach=25.0)
    assert tracker.update(0, 0.0, True, (50.0, 0.0), 0.7) == []
    assert tracker.update(1, 0.05, True, (40.0, 0.0), 0.7) == []  # 2 frames, still too far
    assert tracker.update(2, 0.1, True, (30.0, 0.0), 0.7) == []
    events = tracker.update(3, 0.15, True, (20.0, 0.0), 0.7)
    assert events[0] == PassageStarted(0, 0, 0.0)
    assert [e.frame for e in events[1:] if isinstance(e, PassageFrame)] == [0, 1, 2, 3]


def test_the_carrier_found_again_just_after_it_left_starts_no_second_passage() -> None:
    # a carrier crosses (departure at frame 6, 0.3 s), its track ends; found again 20 px past
    # its departure point at 0.6 s, it is within reach there but only 0.3 s after its departure;
    # the next carrier crosses its departure point 1.25 s after the first
    first = [(True, x) for x in range(60, -11, -10)]
    again = [(True, x) for x in (-20, -24, -28, -32, -36)]
    between = [(False, 0.0)] * 8
    second = [(True, x) for x in range(60, -31, -10)]
    steps = [*first, *empty(4), *again, *between, *second, *empty(4)]

    def departures(min_interval: float) -> list[int]:
        tracker = PassageTracker(gap=1, reach=25.0, min_interval=min_interval)
        events: list[PassageEvent] = []
        for frame, (found, dx) in enumerate(steps):
            events += tracker.update(frame, frame / FPS, found, (dx, 0.0), 0.7)
        return [p.departure_frame for p in ended(events + tracker.finish())]

    assert departures(0.0) == [6, 12, 31]  # found again: a second passage
    assert departures(1.0) == [6, 31]  # not within 1 s of the departure


@pytest.mark.parametrize(
    "kwargs",
    [{"gap": -1}, {"min_frames": 0}, {"max_jump": 0.0}, {"reach": 0.0}, {"min_interval": -1.0}],
)
def test_rejects_bad_settings(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        PassageTracker(**kwargs)  # type: ignore[arg-type]


def test_expected_predicts_the_followed_carrier() -> None:
    tracker = PassageTracker(gap=2)
    assert tracker.expected(0) is None  # nothing followed
    tracker.update(0, 0.0, True, (-100.0, 0.0), 0.7)
    assert tracker.expected(1) is None  # one frame: no motion yet
    tracker.update(1, 0.05, True, (-90.0, 0.0), 0.7)
    assert tracker.expected(2) == pytest.approx((-80.0, 0.0))
    assert tracker.expected(4) == pytest.approx((-60.0, 0.0))
    assert tracker.expected(5) is None  # missed more than the gap: the track is over


def test_departed_once_the_carrier_is_well_past_its_departure_point() -> None:
    tracker = PassageTracker(gap=2, min_frames=3, max_jump=30.0)
    for frame, dx in enumerate(range(40, -100, -10)):  # +40 ... -90, 10 px a frame
        assert tracker.departed(frame) is (frame >= 7), frame  # expected -30 at frame 7
        tracker.update(frame, frame / FPS, True, (float(dx), 0.0), 0.7)


def test_a_carrier_first_seen_past_its_departure_point_starts_no_passage() -> None:
    # a carrier moving towards +x, one seen only once it has left, then the next one
    steps = sweep(-60, 60, 10) + empty(3) + sweep(50, 120, 10) + empty(3) + sweep(-60, 60, 10)
    passages = ended(run(steps, PassageTracker(gap=1, max_jump=30.0)))
    assert [(p.first_frame, p.last_frame) for p in passages] == [(0, 12), (27, 39)]


def test_arriving_says_when_the_followed_carrier_nears_its_departure_point() -> None:
    tracker = PassageTracker(gap=2)
    assert tracker.arriving(0, frames=3)  # nothing followed: nothing may be skipped
    tracker.update(0, 0.0, True, (-200.0, 0.0), 0.7)
    tracker.update(1, 0.05, True, (-190.0, 0.0), 0.7)  # 10 px a frame
    assert not tracker.arriving(2, frames=3)  # expected at -180: 18 frames away
    assert tracker.arriving(2, frames=18, slack=0.0)
    assert not tracker.arriving(2, frames=17, slack=0.0)
