"""One station's analysis: register each frame, track passages, judge each passage's departure.

The analyser is single-threaded and owns no thread: ``analyse(frame)`` registers a frame and
returns the crop to classify (or None); the decisions come back through ``decided``; ``resolve``
judges the passages whose departure window is decided (or has waited ``decision_timeout_s``:
a crop dropped by a full inference queue never comes back) and raises their alarms. The same
object runs live (``service.pipeline.runtime``) and in replay (``service.pipeline.replay``).

Frames are numbered by ``Frame.index`` inside (it never goes back, not even when a file loops);
results give source frame indices. A new source session (reconnect, loop) ends the passage in
progress: the scene is not continuous across it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, Protocol

import numpy as np

from service.alarms import PassageVerdict, judge_passage
from service.capture.messages import Frame
from service.config import StationConfig
from service.inference.messages import CropRequest, FrameDecision
from service.passages import (
    PassageEnded,
    PassageEvent,
    PassageFrame,
    PassageStarted,
    PassageTracker,
)
from service.pipeline.recent import Kept, RecentFrames
from service.pipeline.results import FrameResult, PassageResult, Placement
from service.registration import Registrar, SearchHint

logger = logging.getLogger(__name__)

HISTORY = 512  # frames of decisions kept beyond the oldest pending passage
ALIGN_MARGIN_FRAMES = 3  # frames aligned beyond the alarm window, for the departure estimate
SNAPSHOT_CANDIDATES = 8  # frames kept per passage for its departure snapshot, by offset
SNAPSHOT_WINDOW = 4  # and those this near the departure the learned path gives so far


class AlarmSink(Protocol):
    """Where a passage's alarm goes (``service.alarms.AlarmRaiser``); returns the alarm's id."""

    def __call__(
        self,
        analyser: StationAnalyser,
        result: PassageResult,
        verdict: PassageVerdict,
        departure: Kept | None,
    ) -> str | None: ...


@dataclass
class _Passage:
    """A passage being followed: its departure candidates so far, for the snapshot.

    The departure frame is only chosen when the passage ends (where the learned path fits its
    frames, else the running median of its offsets nearest the reference position), while
    its frames are seen one by one and kept only a little while (``RecentFrames``). So two
    kinds of frames are kept as they come: the ``SNAPSHOT_CANDIDATES`` nearest the departure
    point by their own offset, and those within ``SNAPSHOT_WINDOW`` frames of the departure the
    path gives so far. The snapshot is the departure frame among them, else the kept frame
    nearest it: one stray match at the reference position, or a registration that slid off a
    half-hidden carrier, does not become the snapshot."""

    candidates: dict[int, tuple[float, Kept]] = field(default_factory=dict)
    """Frame index -> (departure cost, frame)."""

    def consider(self, cost: float, frame: int, kept: Kept, estimate: int | None) -> None:
        """Keep ``kept`` if it is among the cheapest or near the ``estimate``d departure."""
        self.candidates[frame] = (cost, kept)
        by_cost = sorted(self.candidates, key=lambda f: (self.candidates[f][0], f))
        keep = set(by_cost[:SNAPSHOT_CANDIDATES])
        if estimate is not None:
            keep |= {f for f in self.candidates if abs(f - estimate) <= SNAPSHOT_WINDOW}
        self.candidates = {f: c for f, c in self.candidates.items() if f in keep}

    def snapshot(self, departure_frame: int) -> Kept | None:
        """The kept frame at ``departure_frame``, else the nearest one to it (the cheaper of
        two as near); None if none was kept."""
        if not self.candidates:
            return None
        frame = min(
            self.candidates, key=lambda f: (abs(f - departure_frame), self.candidates[f][0])
        )
        return self.candidates[frame][1]


@dataclass
class _Pending:
    ended: PassageEnded
    since: float
    base: int  # Frame.index - source frame index in the passage's session
    window: tuple[int, ...] = field(default=())


PassageOutcome = Literal["open", "closed", "undecided"]
"""How a passage was judged: bar open at departure (an alarm), closed, or no decision at all."""
PASSAGE_OUTCOMES: tuple[PassageOutcome, ...] = ("open", "closed", "undecided")


@dataclass(frozen=True)
class StationState:
    """What the station is doing now, for status pages."""

    frames: int
    registered: int
    last_score: float | None
    current_passage: int | None
    last_decision: FrameDecision | None
    last_result: PassageResult | None
    pending: int
    passages: Mapping[PassageOutcome, int] = field(default_factory=dict)
    """Passages judged so far, by outcome."""


@dataclass(frozen=True, eq=False)
class LatestImage:
    """The station's newest image of one kind, kept by reference (never copied or changed)."""

    image: np.ndarray
    frame: int
    """``Frame.index`` of the frame it comes from."""
    timestamp: float
    """Wall-clock seconds the frame was captured."""


@dataclass(frozen=True)
class LatestImages:
    """The newest raw frame and the newest registered crop (``None`` before the first)."""

    frame: LatestImage | None
    crop: LatestImage | None


class StationAnalyser:
    """Registration, passage tracking and the alarm rule of one station."""

    def __init__(
        self,
        config: StationConfig,
        registrar: Registrar,
        *,
        tracker: PassageTracker | None = None,
        alarm_sink: AlarmSink | None = None,
        decision_timeout_s: float = 2.0,
        keep_frames: int = 16,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.registrar = registrar
        roi = config.registration.roi
        reach = config.registration.departure_reach * max(roi[2], roi[3])
        interval = config.registration.min_departure_interval_s
        self.tracker = tracker or PassageTracker(reach=reach, min_interval=interval)
        self.alarm_sink = alarm_sink
        self.decision_timeout_s = decision_timeout_s
        self.clock = clock
        self._recent = RecentFrames(keep_frames)
        self._passages: dict[int, _Passage] = {}
        self._pending: list[_Pending] = []
        self._decisions: dict[int, FrameDecision] = {}
        self._placements: dict[int, Placement] = {}  # of the frames sent to be classified
        self._sent: set[int] = set()
        self._session: int | None = None
        self._base = 0
        self._last_index = -1
        self._frames = self._registered = 0
        self._last_score: float | None = None
        self._current: int | None = None
        self._last_decision: FrameDecision | None = None
        self._last_result: PassageResult | None = None
        self._outcomes: dict[PassageOutcome, int] = dict.fromkeys(PASSAGE_OUTCOMES, 0)
        self._latest = LatestImages(None, None)

    # ------------------------------------------------------------------ input

    def _hint(self, index: int) -> SearchHint | None:
        """Look where the followed carrier should be; once it has left, look for the next.
        Unless ``align_every_frame``, a carrier still far from its departure point is only
        tracked, not aligned nor classified: the alarm rule judges the frames around departure
        only."""
        near, avoid = self.tracker.lookout(index)
        if near is None and avoid is None:
            return None
        # frames the alarm rule judges, and a margin for the departure frame's estimate
        frames = self.config.alarm.departure_window + ALIGN_MARGIN_FRAMES
        align = (
            self.config.registration.align_every_frame
            or avoid is not None
            or self.tracker.arriving(index, frames)
        )
        return SearchHint(near=near, avoid=avoid, radius=self.tracker.max_jump, align=align)

    def analyse(self, frame: Frame) -> CropRequest | None:
        """Register ``frame`` and track it; the crop to classify when a carrier was found."""
        if self._session is not None and frame.session != self._session:
            self._handle(self.tracker.finish())
        self._session, self._base = frame.session, frame.index - frame.source_index
        self._frames += 1
        self._last_index = frame.index
        reg = self.registrar.register(frame.image, self._hint(frame.index))
        self._last_score = reg.score
        latest = LatestImage(frame.image, frame.index, frame.timestamp)
        crop = self._latest.crop
        if reg.found and reg.crop is not None:
            crop = LatestImage(reg.crop, frame.index, frame.timestamp)
        self._latest = LatestImages(latest, crop)  # one reference swap: readers see a pair
        events = self.tracker.update(frame.index, frame.timestamp, reg.found, reg.offset, reg.score)
        request = None
        if reg.found and reg.crop is not None:
            self._registered += 1
            self._recent.add(frame.index, Kept(frame.source_index, frame.image, reg.crop))
            self._sent.add(frame.index)
            self._placements[frame.index] = Placement(reg.offset, reg.scale, reg.score)
            request = CropRequest(
                self.config.id,
                self.config.lift,
                frame.index,
                frame.timestamp,
                reg.crop,
                self._current,
            )
        self._handle(events)
        return request

    def decided(self, decision: FrameDecision) -> None:
        """A decision for one of this station's crops."""
        self._decisions[decision.frame] = decision
        self._sent.discard(decision.frame)
        self._last_decision = decision

    def finish(self) -> None:
        """The source has ended: close the passage in progress."""
        self._handle(self.tracker.finish())

    @property
    def waiting(self) -> bool:
        """Whether a passage has ended and waits for decisions."""
        return bool(self._pending)

    # ------------------------------------------------------------------ passages

    def _handle(self, events: list[PassageEvent]) -> None:
        for event in events:
            if isinstance(event, PassageStarted):
                self._passages[event.passage] = _Passage()
                self._current = event.passage
            elif isinstance(event, PassageFrame):
                self._candidate(event)
            elif isinstance(event, PassageEnded):
                dep, w = event.departure_frame, self.config.alarm.departure_window
                window = tuple(f for f in event.frames if abs(f - dep) <= w)
                self._pending.append(_Pending(event, self.clock(), self._base, window))
                if self._current == event.passage:
                    self._current = None

    def _candidate(self, event: PassageFrame) -> None:
        passage = self._passages.get(event.passage)
        kept = self._recent.get(event.frame)
        if passage is not None and kept is not None:
            cost = self.tracker.departure_cost(event.offset)
            passage.consider(cost, event.frame, kept, self.tracker.departure_estimate())

    def resolve(self, force: bool = False) -> list[PassageResult]:
        """Judge every ended passage whose departure window is decided (all of them if
        ``force``, or once they have waited ``decision_timeout_s``), in order."""
        now, results = self.clock(), []
        while self._pending:
            p = self._pending[0]
            ready = not any(f in self._sent for f in p.window)
            if not (ready or force or now - p.since >= self.decision_timeout_s):
                break
            self._pending.pop(0)
            results.append(self._judge(p))
        self._prune()
        return results

    def _judge(self, pending: _Pending) -> PassageResult:
        ended, base = pending.ended, pending.base
        decisions = {f: self._decisions[f] for f in ended.frames if f in self._decisions}
        verdict = judge_passage(decisions, ended.departure_frame, self.config.alarm)
        if verdict.undecided:
            logger.warning(
                "%s passage %d: no decision around its departure (crops dropped?)",
                self.config.id,
                ended.passage,
            )
        result = PassageResult(
            passage=ended.passage,
            first_frame=ended.first_frame - base,
            last_frame=ended.last_frame - base,
            departure_frame=ended.departure_frame - base,
            state=verdict.state,
            alarm=verdict.alarm,
            frames=tuple(
                FrameResult.of(d, f - base, self._placements.get(f))
                for f, d in sorted(decisions.items())
            ),
            open_frames=verdict.open_frames,
            judged_frames=verdict.judged_frames,
        )
        self._outcomes["undecided" if verdict.undecided else verdict.state] += 1
        followed = self._passages.pop(ended.passage, None)
        if result.alarm and self.alarm_sink is not None:
            departure = followed.snapshot(ended.departure_frame) if followed else None
            alarm_id = self.alarm_sink(self, result, verdict, departure)
            result = PassageResult(**{**result.__dict__, "alarm_id": alarm_id})
        self._last_result = result
        return result

    def _prune(self) -> None:
        oldest = min((p.ended.first_frame for p in self._pending), default=self._last_index)
        limit = min(oldest, self._last_index) - HISTORY
        if len(self._decisions) > HISTORY:
            self._decisions = {f: d for f, d in self._decisions.items() if f >= limit}
        if len(self._sent) > HISTORY:
            self._sent = {f for f in self._sent if f >= limit}
        if len(self._placements) > HISTORY:
            self._placements = {f: p for f, p in self._placements.items() if f >= limit}

    # ------------------------------------------------------------------ status

    def state(self) -> StationState:
        return StationState(
            self._frames,
            self._registered,
            self._last_score,
            self._current,
            self._last_decision,
            self._last_result,
            len(self._pending),
            MappingProxyType(dict(self._outcomes)),
        )

    def latest(self) -> LatestImages:
        """The newest frame and registered crop; safe from any thread (one reference read).

        The arrays are the pipeline's own: read them, never change them."""
        return self._latest
