"""One carrier's registered frames while it is being tracked, and where it should be next."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median

from service.passages.events import Offset, PassageEnded, PassageFrame

VELOCITY_FRAMES = 6  # the last steps the velocity is estimated from


@dataclass(frozen=True)
class Observation:
    """One registered frame, as the tracker is fed it."""

    frame: int
    timestamp: float
    offset: Offset
    score: float


def norm(v: Offset) -> float:
    return math.hypot(v[0], v[1])


@dataclass
class Track:
    """Registered frames of one carrier, in order."""

    observations: list[Observation] = field(default_factory=list)
    passage: int | None = None  # numbered once confirmed

    @property
    def last(self) -> Observation:
        return self.observations[-1]

    def velocity(self) -> Offset | None:
        """Median offset change per frame over the last steps; None with a single frame."""
        recent = self.observations[-VELOCITY_FRAMES - 1 :]
        steps = [
            (
                (b.offset[0] - a.offset[0]) / (b.frame - a.frame),
                (b.offset[1] - a.offset[1]) / (b.frame - a.frame),
            )
            for a, b in pairwise(recent)
        ]
        if not steps:
            return None
        return median([s[0] for s in steps]), median([s[1] for s in steps])

    def predict(self, frame: int) -> Offset:
        v = self.velocity() or (0.0, 0.0)
        dt = frame - self.last.frame
        return self.last.offset[0] + v[0] * dt, self.last.offset[1] + v[1] * dt

    def motion(self) -> Offset:
        """Overall displacement from the first frame to the last."""
        first, last = self.observations[0].offset, self.last.offset
        return last[0] - first[0], last[1] - first[1]

    def frame_event(self, obs: Observation) -> PassageFrame:
        assert self.passage is not None
        return PassageFrame(self.passage, obs.frame, obs.timestamp, obs.offset, obs.score)

    def ended(self) -> PassageEnded:
        assert self.passage is not None
        departure = min(self.observations, key=lambda o: norm(o.offset))
        return PassageEnded(
            passage=self.passage,
            first_frame=self.observations[0].frame,
            last_frame=self.last.frame,
            departure_frame=departure.frame,
            frames=tuple(o.frame for o in self.observations),
            departure_timestamp=departure.timestamp,
            departure_offset=departure.offset,
        )
