"""The station analyser: passages judged from their departure window, snapshots, timeouts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from service.capture.messages import Frame
from service.inference.messages import CropRequest
from service.pipeline.recent import Kept
from service.pipeline.results import PassageResult
from service.pipeline.station import StationAnalyser
from tests.service.pipeline.fakes import SHAPE, ScriptedRegistrar, carrier, decide, station_config


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Sink:
    def __init__(self) -> None:
        self.calls: list[tuple[PassageResult, Kept | None]] = []

    def __call__(self, analyser: Any, result: PassageResult, verdict: Any, dep: Kept | None) -> str:
        self.calls.append((result, dep))
        return f"alarm-{len(self.calls)}"


def _frame(k: int, session: int = 0, source: int | None = None) -> Frame:
    image = np.full(SHAPE, k % 256, np.uint8)
    return Frame("test-station", k, k / 10, image, k if source is None else source, session)


def _run(analyser: StationAnalyser, frames: int, states: dict[int, str]) -> list[CropRequest]:
    """Feed ``frames`` frames, deciding each crop at once: ``states`` by frame, else closed."""
    requests = []
    for k in range(frames):
        request = analyser.analyse(_frame(k))
        if request is not None:
            requests.append(request)
            analyser.decided(decide(request, states.get(k, "closed")))
    return requests


def _analyser(tmp_path: Path, offsets: list[float | None], **kw: Any) -> StationAnalyser:
    config = station_config(tmp_path, **kw.pop("alarm", {}))
    return StationAnalyser(config, ScriptedRegistrar(offsets), **kw)  # type: ignore[arg-type]


def test_open_bar_at_departure_raises_an_alarm_with_the_departure_snapshot(
    tmp_path: Path,
) -> None:
    sink = Sink()
    analyser = _analyser(tmp_path, [*carrier(), None, None, None, None, None], alarm_sink=sink)
    # departure at frame 6 (offset 0); frames 5 and 7 open: 3 of the window's 7 frames
    _run(analyser, 18, {5: "open", 6: "open", 7: "open"})
    results = analyser.resolve()
    assert len(results) == 1
    r = results[0]
    assert (r.first_frame, r.departure_frame, r.last_frame) == (0, 6, 12)
    assert r.alarm and r.state == "open" and r.open_frames == 3 and r.judged_frames == 7
    assert r.alarm_id == "alarm-1" and len(r.frames) == 13
    ((_, departure),) = sink.calls
    assert departure is not None and departure.source_frame == 6
    assert departure.crop[0, 0, 0] == 6 and departure.image[0, 0, 0] == 6


def test_the_snapshot_is_the_departure_frame_not_a_stray_match_nearer_the_reference(
    tmp_path: Path,
) -> None:
    sink = Sink()
    offsets: list[float | None] = [k * 5.0 - 29.0 for k in range(13)]  # 1 px off at frame 6
    offsets[2] = 0.0  # one stray match at the reference position, the nearest of all
    analyser = _analyser(tmp_path, [*offsets, None, None, None, None, None], alarm_sink=sink)
    _run(analyser, 18, {5: "open", 6: "open", 7: "open"})
    (r,) = analyser.resolve()
    assert r.alarm and r.departure_frame == 6  # chosen on the smoothed offsets
    ((_, departure),) = sink.calls
    assert departure is not None and departure.source_frame == 6
    assert departure.crop[0, 0, 0] == 6 and departure.image[0, 0, 0] == 6


def test_the_snapshot_is_the_departure_the_learned_path_gives(tmp_path: Path) -> None:
    sink = Sink()
    clean: list[float | None] = [(k - 12) * 5.0 for k in range(25)]  # departs at its frame 12
    # the fourth carrier: its registration slides off it 2 frames before its departure, onto
    # something 30 px ahead drifting back, which comes nearest the reference 11 frames late
    sliding = [(k - 12) * 5.0 if k < 10 else 20.0 - 1.5 * (k - 10) for k in range(25)]
    gap: list[float | None] = [None] * 6
    offsets = [*clean, *gap, *clean, *gap, *clean, *gap, *sliding, *gap]
    analyser = _analyser(tmp_path, offsets, alarm_sink=sink)
    _run(analyser, len(offsets), {f: "open" for f in range(100, 111)})
    results = analyser.resolve()
    assert [r.departure_frame for r in results] == [12, 43, 74, 105]  # the last from the path
    ((_, departure),) = sink.calls
    assert departure is not None and departure.source_frame == 105


def test_a_single_open_frame_is_not_enough(tmp_path: Path) -> None:
    sink = Sink()
    analyser = _analyser(tmp_path, [*carrier(), None, None, None, None], alarm_sink=sink)
    _run(analyser, 17, {6: "open", 11: "open", 12: "open"})  # 11, 12 outside the window
    (r,) = analyser.resolve()
    assert not r.alarm and r.state == "closed" and r.open_frames == 1
    assert sink.calls == []


def test_waits_for_the_window_decisions_then_times_out(tmp_path: Path) -> None:
    clock = Clock()
    analyser = _analyser(
        tmp_path, [*carrier(), None, None, None, None], decision_timeout_s=2.0, clock=clock
    )
    requests = [r for k in range(17) if (r := analyser.analyse(_frame(k))) is not None]
    assert analyser.waiting and analyser.resolve() == []  # nothing decided yet
    for request in requests:
        if request.frame != 6:  # the departure frame's crop was lost
            analyser.decided(decide(request, "open"))
    assert analyser.resolve() == []
    clock.now += 2.5
    (r,) = analyser.resolve()
    assert r.alarm and r.judged_frames == 6 and r.departure_frame == 6


def test_source_frames_and_a_new_session(tmp_path: Path) -> None:
    offsets = [*carrier(), None, None, None, None, *carrier()]  # carriers at 0-12 and 17-29
    analyser = _analyser(tmp_path, offsets)
    results: list[PassageResult] = []
    for k in range(len(offsets)):
        # a reconnect at frame 20, in the second carrier: the source restarts at 0, session 1
        frame = _frame(k) if k < 20 else _frame(k, session=1, source=k - 20)
        request = analyser.analyse(frame)
        if request is not None:
            analyser.decided(decide(request, "closed"))
        results += analyser.resolve()
    analyser.finish()
    results += analyser.resolve(force=True)
    # the second carrier is cut by the reconnect before it came near its departure point
    # (frames 17-19, 30 to 20 px away): not a passage. Frames are the source's, per session
    spans = [(r.first_frame, r.departure_frame, r.last_frame) for r in results]
    assert spans == [(0, 6, 12), (0, 3, 9)]
    assert [r.passage for r in results] == [0, 1]


def test_passages_counted_by_outcome_and_latest_images_kept_by_reference(
    tmp_path: Path,
) -> None:
    gap: list[float | None] = [None] * 5
    analyser = _analyser(tmp_path, [*carrier(), *gap, *carrier(), *gap, *carrier(), *gap])
    assert analyser.latest().frame is None and analyser.latest().crop is None
    frames = [_frame(k) for k in range(54)]
    for k, frame in enumerate(frames):
        request = analyser.analyse(frame)
        if request is not None and k < 36:  # the third carrier's crops get no decision
            analyser.decided(decide(request, "open" if k < 18 else "closed"))
    analyser.resolve(force=True)
    assert dict(analyser.state().passages) == {"open": 1, "closed": 1, "undecided": 1}
    latest = analyser.latest()
    assert latest.frame is not None and latest.frame.image is frames[-1].image
    assert latest.crop is not None and latest.crop.frame == 48  # the last frame with a carrier
    assert latest.crop.image[0, 0, 0] == 48


def test_the_registrar_is_told_where_to_look_and_what_has_left(tmp_path: Path) -> None:
    # one carrier from -30 to +100 px, 5 px a frame (departure at frame 6), then none
    offsets: list[float | None] = [-30.0 + 5 * k for k in range(27)] + [None] * 40
    analyser = _analyser(tmp_path, offsets)
    _run(analyser, len(offsets), {})
    hints = analyser.registrar.hints  # type: ignore[attr-defined]
    assert hints[0] is None and hints[1] is None  # no motion known yet
    assert hints[2].near == pytest.approx((-20.0, 0.0)) and hints[2].avoid is None
    # 60 px (max_jump) past its nearest approach, the carrier has left: avoid it
    assert all(h.near is not None for h in hints[2:18])
    assert all(h.avoid is not None and h.near is None for h in hints[18:27])
    assert hints[18].avoid == pytest.approx((60.0, 0.0))
    # once its passage has ended, where it should be is still avoided for a while
    assert hints[31] is not None and hints[31].avoid == pytest.approx((125.0, 0.0))
    assert hints[-1] is None


def test_a_carrier_far_from_its_departure_point_is_tracked_but_not_aligned(
    tmp_path: Path,
) -> None:
    # 5 px a frame from -100 px: only frames within 6 frames (3 + 3) of departure are aligned
    offsets: list[float | None] = [-100.0 + 5 * k for k in range(41)] + [None] * 5
    config = station_config(tmp_path, align_every_frame=False)
    analyser = StationAnalyser(config, ScriptedRegistrar(offsets))  # type: ignore[arg-type]
    requests = _run(analyser, len(offsets), {})
    hints = analyser.registrar.hints  # type: ignore[attr-defined]
    skipped = [k for k, h in enumerate(hints) if h is not None and not h.align]
    # expected at -90..-40 px and +40..+55 px: more than 6 frames (+ 8 px) from departure; from
    # frame 32 on the carrier has left (60 px past departure): the search turns to the next one
    assert skipped == [*range(2, 13), *range(28, 32)]
    sent = {r.frame for r in requests}
    assert set(range(13, 28)) <= sent and not sent & set(skipped)
    (result,) = analyser.resolve()
    assert result.departure_frame == 20 and result.judged_frames == 7
    # by default every frame is aligned
    every = _analyser(tmp_path, offsets)
    _run(every, len(offsets), {})
    assert all(h is None or h.align for h in every.registrar.hints)  # type: ignore[attr-defined]
