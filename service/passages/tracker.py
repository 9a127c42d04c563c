"""Groups a station's registered frames into passages, one carrier each.

Fed every frame (registered or not), the tracker keeps the carrier it follows while each new
offset lands near where that carrier's motion predicts. An offset that jumps back towards where
carriers come from is the next carrier taking over the match: it starts a candidate track, which
replaces the current one once it has ``min_frames`` frames; until then the current carrier may
still be matched (two carriers in sight, the match flipping between them). A jump ahead of the
carrier is the previous carrier seen once more, and is ignored. A track that misses more than
``gap`` frames in a row ends; one shorter than ``min_frames`` frames was noise, never a passage.
The departure frame is where the carrier crossed the reference's position (the point the masks
describe) along the direction carriers move in (``Track.departure``; without a known direction,
the frame with the smallest |offset|). Once the path carriers follow has been learned from past
passages (``CarrierPath``), the departure is where that path fits the track best instead: a
carrier half hidden near its departure point still departs when its approach says.

The tracker also tells the registrar where to look (``lookout``): near where the followed carrier
should be, and, once that carrier has passed its departure point, away from it, towards the next
carrier. A carrier first seen already past its departure point starts no passage, and a track
is a passage only once it has come within ``reach`` of the departure point: one that never does
(a piece of a leaving carrier, matched elsewhere) was not seen departing and is dropped, like
noise. Carriers depart at least ``min_interval`` seconds apart, so only frames that late after
the last passage's departure count for that: the carrier that just left, found again past its
departure point once its track ended, starts no second passage.
"""

from __future__ import annotations

import logging
import math
from enum import Enum

from service.passages.events import Offset, PassageEvent, PassageStarted
from service.passages.path import CarrierPath, PathFit
from service.passages.track import Observation, Track, departure_cost, norm

logger = logging.getLogger(__name__)

FIT_FRAMES = 300  # a track's last frames the path is fit to while it is followed
MIN_SPEED = 0.5  # pixels per frame: slower, and a track has no direction of its own


class Fit(Enum):
    SAME = "same"  # lands where the carrier should be
    NEXT = "next"  # jumped back: another carrier, coming
    AHEAD = "ahead"  # jumped ahead: another carrier, leaving


class PassageTracker:
    """Turns per-frame registrations into ``PassageStarted``, ``PassageFrame`` and
    ``PassageEnded`` events.

    ``gap``: frames a passage may miss in a row; ``min_frames``: registered frames a passage
    needs; ``max_jump``: pixels an offset may land from the predicted one and still be the same
    carrier; ``reach``: pixels from the reference position (offset 0) a carrier must come
    within to be a passage (default: no limit); ``min_interval``: the fewest seconds between
    two departures (default: none); ``path``: the carriers' path, learned as passages end
    (default: a new ``CarrierPath``).
    """

    def __init__(
        self,
        gap: int = 3,
        min_frames: int = 3,
        max_jump: float = 60.0,
        reach: float = math.inf,
        min_interval: float = 0.0,
        path: CarrierPath | None = None,
    ) -> None:
        if gap < 0 or min_frames < 1 or max_jump <= 0 or not reach > 0 or not min_interval >= 0:
            raise ValueError(
                "need gap >= 0, min_frames >= 1, max_jump > 0, reach > 0, min_interval >= 0; "
                f"got {gap}, {min_frames}, {max_jump}, {reach}, {min_interval}"
            )
        self.gap, self.min_frames, self.max_jump, self.reach = gap, min_frames, max_jump, reach
        self.min_interval = min_interval
        self.path = path or CarrierPath()
        self._last_departure = -math.inf  # timestamp of the last passage's departure
        self._track: Track | None = None
        self._candidate: Track | None = None
        self._passages = 0
        self._direction: Offset | None = None  # unit motion of the carriers, from past passages
        self._left: Track | None = None  # the carrier of the last passage ended
        self._last_frame: int | None = None

    @property
    def passages(self) -> int:
        """Passages started so far."""
        return self._passages

    def departure_cost(self, offset: Offset) -> float:
        """How far a carrier at ``offset`` is from its departure point, as the departure frame
        is chosen (``Track.departure``): the smaller, the better a departure snapshot."""
        return departure_cost(offset, self._direction)

    def departure_estimate(self) -> int | None:
        """The followed carrier's departure frame as the learned path puts it so far; None
        while no carrier is followed or its track does not fit the path."""
        track = self._track
        return None if track is None or track.fit is None else track.fit.departure

    def expected(self, frame: int) -> Offset | None:
        """Where the carrier being followed should be at ``frame`` (None: no carrier followed,
        or its motion is not known yet), for the registrar to look there first."""
        track = self._track
        if track is None or len(track.observations) < 2 or frame - track.last.frame > self.gap + 1:
            return None
        return self._predict(track, frame)

    def lookout(self, frame: int) -> tuple[Offset | None, Offset | None]:
        """``(near, avoid)`` for the registrar at ``frame``: where the carrier being followed
        should be, and where a carrier that has left (passed its departure point, its passage
        complete) should be, so that the search turns to the next carrier instead."""
        expected = self.expected(frame)
        if expected is not None and self.departed(frame):
            return None, expected
        left = self._left
        if (
            expected is None
            and left is not None
            and frame - left.last.frame <= len(left.observations)
        ):
            return None, self._predict(left, frame)
        return expected, None

    def arriving(self, frame: int, frames: float, slack: float = 8.0) -> bool:
        """Whether the carrier being followed may be at its departure point within ``frames``
        frames (before or after): it is expected within ``frames`` × its speed (+ ``slack``
        pixels) of the reference position. True when no carrier is followed or its motion is
        unknown: then nothing says a frame may be skipped."""
        track, expected = self._track, self.expected(frame)
        if track is None or expected is None:
            return True
        v = track.velocity() or (0.0, 0.0)
        return norm(expected) <= frames * norm(v) + slack

    def departed(self, frame: int) -> bool:
        """Whether the carrier being followed has passed its departure point for good: its
        nearest approach to the reference position is ``min_frames`` frames old or more and it
        is expected ``max_jump`` pixels beyond it. Its passage needs no more frames, so the
        registrar may turn to the next carrier."""
        track, expected = self._track, self.expected(frame)
        if track is None or expected is None or len(track.observations) < self.min_frames:
            return False
        closest = min(track.observations, key=lambda o: norm(o.offset))
        if frame - closest.frame < self.min_frames:
            return False
        return norm(expected) - norm(closest.offset) >= self.max_jump

    def update(
        self, frame: int, timestamp: float, found: bool, offset: Offset, score: float
    ) -> list[PassageEvent]:
        """Feed one frame; the events it causes, in order."""
        if self._last_frame is not None and frame <= self._last_frame:
            raise ValueError(f"frames must increase: {frame} after {self._last_frame}")
        self._last_frame = frame
        events = self._expire(frame, missed_now=False)
        if found:
            obs = Observation(frame, timestamp, (float(offset[0]), float(offset[1])), float(score))
            events += self._assign(obs)
        return events + self._expire(frame, missed_now=True)

    def finish(self) -> list[PassageEvent]:
        """End the passage in progress, if any (end of the video)."""
        self._candidate = None
        return self._close()

    # ------------------------------------------------------------------ decisions

    def _heading(self, track: Track) -> Offset | None:
        """Unit direction the carrier moves in: its own, else that of past passages."""
        v = track.velocity()
        if v is not None and norm(v) >= MIN_SPEED:
            return v[0] / norm(v), v[1] / norm(v)
        return self._direction

    def _beyond_departure(self, offset: Offset) -> bool:
        """Whether ``offset`` lies more than ``max_jump`` past the reference position along the
        carriers' known direction: a carrier first seen there has already left."""
        d = self._direction
        return d is not None and offset[0] * d[0] + offset[1] * d[1] > self.max_jump

    def _fit(self, track: Track, obs: Observation) -> Fit:
        px, py = self._predict(track, obs.frame)
        dx, dy = obs.offset[0] - px, obs.offset[1] - py
        if norm((dx, dy)) <= self.max_jump:
            return Fit.SAME
        heading = self._heading(track)
        if heading is None or dx * heading[0] + dy * heading[1] < 0:
            return Fit.NEXT
        return Fit.AHEAD

    def _assign(self, obs: Observation) -> list[PassageEvent]:
        track = self._track
        if track is None:
            if self._beyond_departure(obs.offset):
                logger.debug("frame %d: a carrier past its departure point, ignored", obs.frame)
                return []
            self._track = Track([])
            return self._append(self._track, obs)
        fit = self._fit(track, obs)
        if fit is Fit.SAME:
            return self._append(track, obs)
        if fit is Fit.AHEAD:
            logger.debug("frame %d: offset %s ahead of the carrier, ignored", obs.frame, obs.offset)
            return []
        candidate = self._candidate
        if candidate is None or self._fit(candidate, obs) is not Fit.SAME:
            candidate = self._candidate = Track([])
        self._add(candidate, obs)
        if len(candidate.observations) < self.min_frames:
            return []
        events = self._close()  # the next carrier has taken over
        self._track, self._candidate = candidate, None
        return events + self._confirm(candidate)

    def _expire(self, frame: int, missed_now: bool) -> list[PassageEvent]:
        """End the tracks that have missed more than ``gap`` frames by ``frame``."""
        limit = self.gap + (0 if missed_now else 1)
        if self._candidate is not None and frame - self._candidate.last.frame > limit:
            self._candidate = None
        if self._track is not None and frame - self._track.last.frame > limit:
            events = self._close()
            self._track, self._candidate = self._candidate, None
            return events + (self._confirm(self._track) if self._track else [])
        return []

    # ------------------------------------------------------------------ events

    def _add(self, track: Track, obs: Observation) -> None:
        """Append ``obs`` and fit the path to the track's last ``FIT_FRAMES`` frames: a
        carrier standing still (the lift stopped) makes no track that costs more."""
        track.observations.append(obs)
        track.fit = self._path_fit(track.observations[-FIT_FRAMES:])

    def _path_fit(self, observations: list[Observation]) -> PathFit | None:
        return self.path.fit([o.frame for o in observations], [o.offset for o in observations])

    def _predict(self, track: Track, frame: int) -> Offset:
        """Where ``track``'s carrier should be at ``frame``: on the learned path, once the
        track fits it; else moving on as it has lately."""
        if track.fit is not None and (on_path := self.path.at(frame - track.fit.departure)):
            return on_path
        return track.predict(frame)

    def _append(self, track: Track, obs: Observation) -> list[PassageEvent]:
        self._add(track, obs)
        if track.passage is not None:
            return [track.frame_event(obs)]
        return self._confirm(track)

    def _confirm(self, track: Track) -> list[PassageEvent]:
        """Number ``track`` and announce it once it has ``min_frames`` frames and has come
        within ``reach`` of the departure point, ``min_interval`` after the last departure."""
        if track.passage is not None or len(track.observations) < self.min_frames:
            return []
        earliest = self._last_departure + self.min_interval
        if not any(
            norm(o.offset) <= self.reach and o.timestamp >= earliest for o in track.observations
        ):
            return []
        track.passage = self._passages
        self._passages += 1
        first = track.observations[0]
        logger.debug("passage %d started at frame %d", track.passage, first.frame)
        started: list[PassageEvent] = [PassageStarted(track.passage, first.frame, first.timestamp)]
        return started + [track.frame_event(o) for o in track.observations]

    def _close(self) -> list[PassageEvent]:
        track, self._track = self._track, None
        if track is None:
            return []
        if track.passage is None:
            first = track.observations[0].frame
            logger.debug(
                "%d frame(s) from %d: too few for a passage, or never near the departure point",
                len(track.observations),
                first,
            )
            return []
        self._left = track
        motion = track.motion()
        own = (motion[0] / norm(motion), motion[1] / norm(motion)) if norm(motion) > 0 else None
        fit = (
            track.fit
            if len(track.observations) <= FIT_FRAMES
            else self._path_fit(track.observations)
        )
        departure = track.nearest(fit.departure) if fit else None
        ended = track.ended(self._direction or own, departure)
        self.path.learn(
            [o.frame for o in track.observations],
            [o.offset for o in track.observations],
            ended.departure_frame,
        )
        self._last_departure = ended.departure_timestamp
        self._direction = own or self._direction
        logger.info(
            "passage %d: frames %d-%d, departure %d",
            ended.passage,
            ended.first_frame,
            ended.last_frame,
            ended.departure_frame,
        )
        return [ended]
