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

The path is learned from passages whose departures the tracker chose, some of them off (the
first ones, chosen by their nearest approach before any path was known). So it does not take
them as given: the passages remembered are fit again on the path they make, and the path
refit on the departures that gives (``ALIGN_ROUNDS``); and its frame 0 is put where it passes
nearest the reference position. A path learned once from late departures would otherwise make
every later departure as late, passage after passage.
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
ALIGN_ROUNDS = 3  # of the path fit, each taking the learned passages' departures again


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


def _shifted(coefficients: np.ndarray, s: float) -> np.ndarray:
    """The quadratic ``t -> q(t + s)`` of the quadratic ``q`` (highest power first)."""
    a, b, c = coefficients
    return np.array([a, 2 * a * s + b, a * s * s + b * s + c])


def _anchored(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The path ``(x, y)`` shifted in time so that its frame 0 is where it passes nearest the
    reference position (within ``SPAN`` frames), to a tenth of a frame.

    The passages are learned with the departures the path itself gave them, so a path a
    few frames off (learned from carriers whose departure came late) would otherwise stay
    off, and put every later departure as late: the departure is where the carrier is at
    the reference position, not where the path happened to start."""
    t = np.linspace(-SPAN, SPAN, 20 * SPAN + 1)
    s = float(t[np.argmin(np.hypot(np.polyval(x, t), np.polyval(y, t)))])
    return _shifted(x, s), _shifted(y, s)


@dataclass(frozen=True)
class _Learned:
    """A passage remembered: its frames near departure (rows: frame, x, y) and the departure
    the tracker gave it."""

    rows: np.ndarray
    departure: int


def _table(model: tuple[np.ndarray, np.ndarray]) -> tuple[int, np.ndarray]:
    """(first dt, offsets at dt = first, first + 1, ...): the path frame by frame."""
    t = np.arange(-SPAN, SPAN + 1, dtype=float)
    return -SPAN, np.stack([np.polyval(model[0], t), np.polyval(model[1], t)], axis=1)


def _fit(
    lookup: tuple[int, np.ndarray],
    frames: list[int] | np.ndarray,
    offsets: list[Offset] | np.ndarray,
    tolerance: float,
    min_inliers: int,
) -> PathFit | None:
    """``CarrierPath.fit`` on the path ``lookup`` (``_table``)."""
    if len(frames) < min_inliers:
        return None
    first, table = lookup
    f = np.asarray(frames)
    o = np.asarray(offsets, dtype=float)
    distance = np.hypot(table[None, :, 0] - o[:, None, 0], table[None, :, 1] - o[:, None, 1])
    near, step = np.nonzero(distance <= tolerance)  # (frame, path frame) pairs
    shift = f[near] - (step + first) - f[0]  # the departure they vote for, from f[0]
    size = int(f[-1] - f[0]) + 1
    inside = (shift >= 0) & (shift < size)
    near, step, shift = near[inside], step[inside], shift[inside]
    counts = np.bincount(shift, minlength=size)
    gaps = distance[near, step]
    totals = np.bincount(shift, weights=gaps, minlength=size)
    support = np.bincount(shift, weights=1.0 - (gaps / tolerance) ** 2, minlength=size)
    spans = []
    for axis in (0, 1):
        high, low = np.full(size, -np.inf), np.full(size, np.inf)
        np.maximum.at(high, shift, o[near, axis])
        np.minimum.at(low, shift, o[near, axis])
        spans.append(high - low)
    spread = np.hypot(*spans)  # infinite where nothing fits: ruled out by the count
    valid = (counts >= min_inliers) & (spread >= MIN_SPREAD)
    if not valid.any():
        return None
    best = int(np.argmax(np.where(valid, support, -1.0)))
    return PathFit(int(f[0]) + best, int(counts[best]), float(totals[best] / counts[best]))


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
        self._passages: deque[_Learned] = deque(maxlen=memory)
        self._model: tuple[np.ndarray, np.ndarray] | None = None

    def learn(self, frames: list[int], offsets: list[Offset], departure: int) -> None:
        """Add one passage: its registered frames, their offsets and its departure frame.

        The frames within ``2 SPAN`` of the departure are kept, so that the departure can be
        taken again on the path the passages learned make (``_coefficients``)."""
        rows = [
            (frame, x, y)
            for frame, (x, y) in zip(frames, offsets, strict=True)
            if abs(frame - departure) <= 2 * SPAN
        ]
        if any(abs(frame - departure) <= SPAN for frame, _, _ in rows):
            self._passages.append(_Learned(np.asarray(rows, dtype=float), departure))
            self._model = None

    def _coefficients(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The path learned, once ``min_passages`` passages are remembered.

        The passages come with the departures the tracker gave them, some of them off (early
        passages, before the path was known; a carrier half hidden). So the path is fit to
        their frames by those departures, then each passage's departure is taken again where
        that path fits it best, and the path fit again, ``ALIGN_ROUNDS`` times at most: a
        path that does not depend on the departures it was first given."""
        if len(self._passages) < self.min_passages:
            return None
        if self._model is None:
            departures = [p.departure for p in self._passages]
            for _ in range(ALIGN_ROUNDS):
                model = self._fit_passages(departures)
                if model is None:  # too little of the path seen: the last round's path, if any
                    break
                table = _table(model)
                again = []
                for p, departure in zip(self._passages, departures, strict=True):
                    frames = p.rows[:, 0].astype(int)
                    found = _fit(table, frames, p.rows[:, 1:], self.tolerance, self.min_inliers)
                    again.append(departure if found is None else found.departure)
                self._model = model
                if again == departures:
                    break
                departures = again
        return self._model

    def _fit_passages(self, departures: list[int]) -> tuple[np.ndarray, np.ndarray] | None:
        """The path through the remembered passages' frames within ``SPAN`` of ``departures``
        (anchored at the reference position); None while they cover too few frames."""
        samples = np.concatenate(
            [
                np.column_stack([p.rows[:, 0] - d, p.rows[:, 1:]])
                for p, d in zip(self._passages, departures, strict=True)
            ]
        )
        samples = samples[np.abs(samples[:, 0]) <= SPAN]
        t = samples[:, 0]
        if len(np.unique(t)) < MIN_DISTINCT_FRAMES:  # too little of the path seen yet
            return None
        x = _robust_quadratic(t, samples[:, 1], self.tolerance)
        y = _robust_quadratic(t, samples[:, 2], self.tolerance)
        return _anchored(x, y)

    def at(self, dt: int) -> Offset | None:
        """Where a carrier is ``dt`` frames after its departure; None until ``min_passages``
        passages covering ``MIN_DISTINCT_FRAMES`` frames from departure are learned, and more
        than ``SPAN`` frames from departure."""
        model = self._coefficients()
        if model is None or abs(dt) > SPAN:
            return None
        return float(np.polyval(model[0], dt)), float(np.polyval(model[1], dt))

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
        model = self._coefficients()
        if model is None:
            return None
        return _fit(_table(model), frames, offsets, self.tolerance, self.min_inliers)
