"""The path a lift's carriers follow through the picture, learned from the passages tracked.

Every carrier of a lift hangs from the same cable and moves at the same speed, so its offset
from the reference position is the same function of the frames since its departure, passage
after passage. ``CarrierPath`` learns that function near the departure (a quadratic per axis,
fit robustly to the last ``memory`` passages, so that frames registered on something else do
not bend it) and fits it to a new passage's track: the departure frame is the shift that puts
the most registered frames on the path (within ``tolerance`` pixels, the nearer the better).

Near its departure point a carrier can be half hidden by the one that left before it (on a lift
filmed from close by, a departed carrier grows to fill the picture): its registration then
slides off it, and the frame nearest the reference position comes late or early. The frames of
its approach, registered before the carrier in front came near, still say when it departs.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from service.passages.events import Offset

MIN_PASSAGES = 3  # passages learned before the path is used
MEMORY = 9  # passages remembered
TOLERANCE = 6.0  # pixels from the path for a registered frame to fit it
MIN_INLIERS = 8  # registered frames that must fit for the path's departure to be taken
MIN_SPREAD = 20.0  # pixels the fitting frames must span: a match stuck in place fits nothing
SPAN = 45  # frames either side of the departure that the path describes
MIN_DISTINCT_FRAMES = 10  # frames from departure the passages learned must cover, at least
ROUNDS = 4  # of the robust fit: refit on the frames within the residual limit
RESIDUAL_MADS = 3.0  # the residual limit, in median absolute residuals (at least TOLERANCE)


@dataclass(frozen=True)
class PathFit:
    """The departure frame the path gives a track, and how many of its frames fit."""

    departure: int
    inliers: int
    error: float  # mean distance of the fitting frames from the path, pixels


def _robust_quadratic(t: np.ndarray, values: np.ndarray, floor: float) -> np.ndarray:
    """Coefficients (highest power first) of a quadratic through ``values`` at ``t``, refit
    ``ROUNDS`` times on the samples within ``RESIDUAL_MADS`` median absolute residuals (at
    least ``floor``): frames registered on something else are left out."""
    keep = np.ones(len(t), bool)
    coefficients = np.polyfit(t, values, 2)
    for _ in range(ROUNDS):
        residual = np.abs(np.polyval(coefficients, t) - values)
        limit = max(floor, RESIDUAL_MADS * float(np.median(residual[keep])))
        new_keep = residual <= limit
        if new_keep.sum() < 3 or (new_keep == keep).all():
            break
        keep = new_keep
        coefficients = np.polyfit(t[keep], values[keep], 2)
    return coefficients


class CarrierPath:
    """Offsets by frames from departure: a quadratic per axis, fit robustly to the frames
    within ``SPAN`` of departure of the last ``memory`` passages."""

    def __init__(
        self,
        min_passages: int = MIN_PASSAGES,
        memory: int = MEMORY,
        tolerance: float = TOLERANCE,
        min_inliers: int = MIN_INLIERS,
    ) -> None:
        if min_passages < 1 or memory < min_passages or tolerance <= 0 or min_inliers < 1:
            raise ValueError(
                "need 1 <= min_passages <= memory, tolerance > 0, min_inliers >= 1; got "
                f"{min_passages}, {memory}, {tolerance}, {min_inliers}"
            )
        self.min_passages, self.memory = min_passages, memory
        self.tolerance, self.min_inliers = tolerance, min_inliers
        self._passages: deque[np.ndarray] = deque(maxlen=memory)  # rows: dt, x, y
        self._model: tuple[np.ndarray, np.ndarray] | None = None

    def learn(self, frames: list[int], offsets: list[Offset], departure: int) -> None:
        """Add one passage: its registered frames, their offsets and its departure frame."""
        rows = [
            (frame - departure, x, y)
            for frame, (x, y) in zip(frames, offsets, strict=True)
            if abs(frame - departure) <= SPAN
        ]
        if rows:
            self._passages.append(np.asarray(rows, dtype=float))
            self._model = None

    def _coefficients(self) -> tuple[np.ndarray, np.ndarray] | None:
        if len(self._passages) < self.min_passages:
            return None
        if self._model is None:
            samples = np.concatenate(list(self._passages))
            t = samples[:, 0]
            if len(np.unique(t)) < MIN_DISTINCT_FRAMES:  # too little of the path seen yet
                return None
            self._model = (
                _robust_quadratic(t, samples[:, 1], self.tolerance),
                _robust_quadratic(t, samples[:, 2], self.tolerance),
            )
        return self._model

    def at(self, dt: int) -> Offset | None:
        """Where a carrier is ``dt`` frames after its departure; None until ``min_passages``
        passages covering ``MIN_DISTINCT_FRAMES`` frames from departure are learned, and more
        than ``SPAN`` frames from departure."""
        model = self._coefficients()
        if model is None or abs(dt) > SPAN:
            return None
        return float(np.polyval(model[0], dt)), float(np.polyval(model[1], dt))

    def _table(self) -> tuple[int, np.ndarray] | None:
        """(first dt, offsets at dt = first, first + 1, ...): the path frame by frame."""
        model = self._coefficients()
        if model is None:
            return None
        t = np.arange(-SPAN, SPAN + 1, dtype=float)
        return -SPAN, np.stack([np.polyval(model[0], t), np.polyval(model[1], t)], axis=1)

    def fit(self, frames: list[int], offsets: list[Offset]) -> PathFit | None:
        """The departure frame, between the first and last of ``frames``, that the most of
        them support: each frame within ``tolerance`` of the path counts 1 - (distance /
        tolerance)², 1 on the path and nothing at ``tolerance``, so that of two neighbouring
        departures the one the frames lie on wins, not the one a few more frames come near.
        It needs at least ``min_inliers`` frames within ``tolerance``, spanning ``MIN_SPREAD``
        pixels; None before the path is learned or where no departure has that many. A
        registration stuck on something still (the coarse match on a pylon, a shadow) fits
        the path where it is slow, but spans nothing.

        Each frame is compared with the path's ``2 SPAN + 1`` frames once, and votes for the
        departures that put it within ``tolerance``: linear in the track's length."""
        lookup = self._table()
        if lookup is None or len(frames) < self.min_inliers:
            return None
        first, table = lookup
        f = np.asarray(frames)
        o = np.asarray(offsets, dtype=float)
        distance = np.hypot(table[None, :, 0] - o[:, None, 0], table[None, :, 1] - o[:, None, 1])
        near, step = np.nonzero(distance <= self.tolerance)  # (frame, path frame) pairs
        shift = f[near] - (step + first) - f[0]  # the departure they vote for, from f[0]
        size = int(f[-1] - f[0]) + 1
        inside = (shift >= 0) & (shift < size)
        near, step, shift = near[inside], step[inside], shift[inside]
        counts = np.bincount(shift, minlength=size)
        gaps = distance[near, step]
        totals = np.bincount(shift, weights=gaps, minlength=size)
        support = np.bincount(shift, weights=1.0 - (gaps / self.tolerance) ** 2, minlength=size)
        spans = []
        for axis in (0, 1):
            high, low = np.full(size, -np.inf), np.full(size, np.inf)
            np.maximum.at(high, shift, o[near, axis])
            np.minimum.at(low, shift, o[near, axis])
            spans.append(high - low)
        spread = np.hypot(*spans)  # infinite where nothing fits: ruled out by the count
        valid = (counts >= self.min_inliers) & (spread >= MIN_SPREAD)
        if not valid.any():
            return None
        best = int(np.argmax(np.where(valid, support, -1.0)))
        return PathFit(int(f[0]) + best, int(counts[best]), float(totals[best] / counts[best]))
