"""The per-passage alarm rule on hand-made decisions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.alarms import judge_passage
from service.config.alarm import AlarmConfig
from service.inference.messages import BarState, FrameDecision

DEPARTURE = 100


def make_decision(frame: int, state: BarState = "open", margin: float = 0.5) -> FrameDecision:
    """A decision of ``frame``: the nearer mask is ``state``'s by ``margin``."""
    near, far = 1.0, 1.0 + margin
    d_open, d_closed = (near, far) if state == "open" else (far, near)
    return FrameDecision(
        station_id="st-1",
        lift="lift-1",
        frame=frame,
        timestamp=100.0 + frame / 25,
        passage=7,
        state=state,
        d_open=d_open,
        d_closed=d_closed,
        margin=margin,
        model="siamese-test@1",
        decided_at=200.0 + frame / 25,
    )


def decisions(*frames: tuple[int, BarState, float]) -> dict[int, FrameDecision]:
    """``{frame: decision}`` from ``(offset from the departure frame, state, margin)``."""
    return {
        DEPARTURE + offset: make_decision(DEPARTURE + offset, state, margin)
        for offset, state, margin in frames
    }


def test_open_frames_at_the_window_edges_count_and_beyond_do_not() -> None:
    config = AlarmConfig(departure_window=2, open_frames_min=2)
    inside = decisions((-2, "open", 0.5), (2, "open", 0.5), (0, "closed", 0.5))
    verdict = judge_passage(inside, DEPARTURE, config)
    assert (verdict.alarm, verdict.state, verdict.open_frames) == (True, "open", 2)
    assert verdict.judged_frames == 3

    outside = decisions((-3, "open", 0.5), (3, "open", 0.5), (0, "open", 0.5))
    verdict = judge_passage(outside, DEPARTURE, config)
    assert (verdict.alarm, verdict.state, verdict.open_frames) == (False, "closed", 1)
    assert verdict.judged_frames == 1


def test_open_frames_min_is_the_threshold() -> None:
    config = AlarmConfig(departure_window=3, open_frames_min=3)
    two = decisions((-1, "open", 0.4), (0, "open", 0.4), (1, "closed", 0.4))
    three = {**two, **decisions((2, "open", 0.4))}
    assert not judge_passage(two, DEPARTURE, config).alarm
    verdict = judge_passage(three, DEPARTURE, config)
    assert verdict.alarm and verdict.open_frames == 3 and verdict.judged_frames == 4


def test_frames_open_by_less_than_min_margin_do_not_count() -> None:
    config = AlarmConfig(departure_window=2, open_frames_min=2, min_margin=0.2)
    weak = decisions((-1, "open", 0.19), (0, "open", 0.2), (1, "open", 0.05))
    verdict = judge_passage(weak, DEPARTURE, config)
    assert verdict.open_frames == 1  # only the frame at exactly min_margin
    assert not verdict.alarm
    strong = {**weak, **decisions((1, "open", 0.3))}
    assert judge_passage(strong, DEPARTURE, config).alarm


def test_a_window_leaning_closed_on_the_whole_raises_no_alarm() -> None:
    # two weakly open frames among clearly closed ones: mean (0.2 + 0.2 - 3 × 0.5) / 5 = -0.22
    weak = decisions(
        (-2, "closed", 0.5),
        (-1, "open", 0.2),
        (0, "open", 0.2),
        (1, "closed", 0.5),
        (2, "closed", 0.5),
    )
    default = AlarmConfig(departure_window=2)
    verdict = judge_passage(weak, DEPARTURE, default)
    assert verdict.open_frames == 2 and verdict.mean_margin == pytest.approx(-0.22)
    assert (verdict.alarm, verdict.state) == (False, "closed")
    # the same two frames clearly open: mean (0.9 + 0.9 - 1.5) / 5 = 0.06, the alarm is raised
    strong = {**weak, **decisions((-1, "open", 0.9), (0, "open", 0.9))}
    assert judge_passage(strong, DEPARTURE, default).alarm
    # the condition set lower, or off
    assert judge_passage(
        weak, DEPARTURE, AlarmConfig(departure_window=2, min_mean_margin=-0.3)
    ).alarm
    assert judge_passage(
        weak, DEPARTURE, AlarmConfig(departure_window=2, min_mean_margin=None)
    ).alarm


def test_missing_frames_are_simply_not_judged() -> None:
    config = AlarmConfig(departure_window=3, open_frames_min=2)
    sparse = decisions((-3, "open", 0.5), (3, "open", 0.5))
    verdict = judge_passage(sparse, DEPARTURE, config)
    assert verdict.alarm and verdict.judged_frames == 2 and not verdict.undecided


def test_no_decided_frame_in_the_window_is_undecided_and_closed() -> None:
    config = AlarmConfig(departure_window=1, open_frames_min=1)
    verdict = judge_passage(decisions((-2, "open", 0.9), (5, "open", 0.9)), DEPARTURE, config)
    assert verdict.undecided
    assert (verdict.state, verdict.alarm, verdict.judged_frames) == ("closed", False, 0)
    assert verdict.departure_decision is None
    assert verdict.mean_margin == 0.0
    assert judge_passage({}, DEPARTURE, config).undecided


def test_a_closed_passage_is_decided() -> None:
    verdict = judge_passage(decisions((0, "closed", 0.3)), DEPARTURE, AlarmConfig())
    assert not verdict.undecided and not verdict.alarm and verdict.state == "closed"


@pytest.mark.parametrize(
    ("offsets", "nearest"),
    [((-2, 0, 1), 0), ((-2, -1, 1, 3), -1), ((1, 3), 1), ((-3, 2), 2)],
)
def test_departure_decision_is_the_nearest_decided_frame(
    offsets: tuple[int, ...], nearest: int
) -> None:
    frames = decisions(*((offset, "closed", 0.1) for offset in offsets))
    verdict = judge_passage(frames, DEPARTURE, AlarmConfig(departure_window=3))
    assert verdict.departure_decision is frames[DEPARTURE + nearest]


def test_mean_margin_is_signed_towards_open() -> None:
    config = AlarmConfig(departure_window=1, open_frames_min=1)
    verdict = judge_passage(
        decisions((-1, "open", 0.6), (0, "open", 0.3), (1, "closed", 0.3)), DEPARTURE, config
    )
    assert verdict.mean_margin == pytest.approx((0.6 + 0.3 - 0.3) / 3)
    closed = judge_passage(decisions((0, "closed", 0.4)), DEPARTURE, config)
    assert closed.mean_margin == pytest.approx(-0.4)


def test_a_window_of_the_departure_frame_alone_needs_one_open_frame() -> None:
    config = AlarmConfig(departure_window=0)
    verdict = judge_passage(decisions((0, "open", 0.1), (1, "open", 0.1)), DEPARTURE, config)
    assert verdict.alarm and verdict.judged_frames == 1


def test_open_share_max_needs_a_frame_that_looks_like_the_open_mask() -> None:
    def frame(offset: int, d_open: float, d_closed: float) -> FrameDecision:
        made = make_decision(DEPARTURE + offset, "open", d_closed - d_open)
        return replace(made, d_open=d_open, d_closed=d_closed)

    # both frames nearer the open mask, but far from both: shares 0.4 and 0.43
    unlike_both = {f.frame: f for f in (frame(0, 1.0, 1.5), frame(1, 0.75, 1.0))}
    # the same and one frame on the open mask: share 0.02
    like_open = {**unlike_both, DEPARTURE - 1: frame(-1, 0.02, 0.98)}
    assert judge_passage(unlike_both, DEPARTURE, AlarmConfig()).alarm  # off by default
    strict = AlarmConfig(open_share_max=0.2)
    verdict = judge_passage(unlike_both, DEPARTURE, strict)
    assert not verdict.alarm and verdict.open_frames == 2
    assert verdict.open_share == pytest.approx(0.4)
    verdict = judge_passage(like_open, DEPARTURE, strict)
    assert verdict.alarm and verdict.open_share == pytest.approx(0.02)


@pytest.mark.parametrize("share", [0.0, -0.1, 0.51])
def test_open_share_max_outside_its_range_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="open_share_max"):
        AlarmConfig(open_share_max=share)
