"""One carrier's registered frames while it is being tracked, and where it should be next."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median

from service.passages.events import Offset, PassageEnded, PassageFrame
from service.passages.path import PathFit

VELOCITY_FRAMES = 6  # the last steps the velocity is estimated from
ACROSS_WEIGHT = 0.25  # of the distance across the path, in the departure frame's choice
SMOOTH_FRAMES = 2  # observations either side in the running median the departure is chosen on


@dataclass(frozen=True)
class Observation:
    """One registered frame, as the tracker is fed it."""

    frame: int
    timestamp: float
    offset: Offset
    score: float


def norm(v: Offset) -> float:
    return math.hypot(v[0], v[1])


def departure_cost(offset: Offset, direction: Offset | None) -> float:
    """How far ``offset`` is from the departure point, for the choice of the departure frame:
    along ``direction`` (unit), plus ``ACROSS_WEIGHT`` of the distance across it; |offset|
    without a direction."""
    if direction is None:
        return norm(offset)
    dx, dy = direction
    along = offset[0] * dx + offset[1] * dy
    across = offset[1] * dx - offset[0] * dy
    return abs(along) + ACROSS_WEIGHT * abs(across)


@dataclass
class Track:
    """Registered frames of one carrier, in order."""

    observations: list[Observation] = field(default_factory=list)
    passage: int | None = None  # numbered once confirmed
    fit: PathFit | None = None  # the learned path's fit to the observations so far

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

    def nearest(self, frame: int) -> Observation:
        """The registered frame nearest ``frame`` (the earlier of two as near)."""
        return min(self.observations, key=lambda o: (abs(o.frame - frame), o.frame))

    def smoothed(self, k: int) -> Offset:
        """The running median of the offsets of observations ``k ± SMOOTH_FRAMES``: where the
        carrier was at observation ``k``, one stray match (another carrier, a shadow) left out.
        Centred: fewer either side near the track's ends, so that its first and last
        observations are not pulled inwards."""
        half = min(SMOOTH_FRAMES, k, len(self.observations) - 1 - k)
        near = self.observations[k - half : k + half + 1]
        return median(o.offset[0] for o in near), median(o.offset[1] for o in near)

    def departure(self, direction: Offset | None = None) -> Observation:
        """The frame the carrier crossed its departure point: along ``direction`` (the unit
        direction carriers move in), the smallest distance to the reference position, plus
        ``ACROSS_WEIGHT`` of the distance across; without a direction, the smallest |offset|.

        Along the path rather than |offset|, because registration can be off across the path
        (a far carrier matched by a part of it, a swing) and then the smallest |offset| comes
        frames late; the crossing along the path does not move with it. The offsets are the
        running medians of ``smoothed``: a single frame registered on something else near the
        reference position (the carrier's own path still tens of pixels away) is not taken
        for the departure."""
        costs = [departure_cost(self.smoothed(k), direction) for k in range(len(self.observations))]
        return self.observations[min(range(len(costs)), key=costs.__getitem__)]

    def ended(
        self, direction: Offset | None = None, departure: Observation | None = None
    ) -> PassageEnded:
        """The passage's end event, departing at ``departure`` (default: ``self.departure``)."""
        assert self.passage is not None
        departure = departure or self.departure(direction)
        return PassageEnded(
            passage=self.passage,
            first_frame=self.observations[0].frame,
            last_frame=self.last.frame,
            departure_frame=departure.frame,
            frames=tuple(o.frame for o in self.observations),
            departure_timestamp=departure.timestamp,
            departure_offset=departure.offset,
        )
