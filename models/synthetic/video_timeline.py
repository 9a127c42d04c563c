"""Where the carriers of a synthetic station video are, frame by frame, and what that makes true.

``track_of`` finds the stretch of cable a lift's camera sees; ``schedule`` draws the passages
(departure frame, passengers, bar plan, swing) from the seed; a ``Timeline`` gives every
carrier's state at every frame; ``passage_truth`` turns a passage into its ``PassageTruth``.
Times of a passage are in seconds from its departure (position 0 along the cable).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.synthetic.camera import Camera
from models.synthetic.carrier import carrier_extent
from models.synthetic.lift import LiftSpec
from models.synthetic.samples import CLOSED_MAX, OPEN_MIN
from models.synthetic.scene import CarrierState, Passenger, sample_passengers
from models.synthetic.video_truth import PassageTruth

Array = np.ndarray

NEAR = 0.3  # metres: primitives closer to the camera than this are not drawn
PREROLL_S = 3.0  # a carrier is on the cable at least this long before its departure
LEAD_S = 0.5  # empty video before the first carrier and after the last
CLOSED_BY_S = 0.6  # a normal bar is down this long before departure (the contract: 0.5 s)
OPEN_UNTIL_S = 0.5  # a violating bar stays open until this long after departure
SCAN_STEP, SCAN_MAX = 0.02, 60.0  # metres: the search for where a carrier leaves the frame
EXIT_MARGIN = 0.5  # metres past that, so that a swinging carrier is out of sight too
VIOLATION_KINDS = ("never", "late", "partial")
CLOSE_RATE = 0.35  # how often the next carrier follows close behind


# ---------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Track:
    """Where a lift's carriers are seen: positions in metres along the cable."""

    start: float  # a carrier is put on the cable here (negative)
    end: float  # and taken off here, once out of the frame or passing the camera
    half_visible: float  # first position with the carrier box at least half inside the frame
    search: tuple[int, int, int, int]  # x, y, w, h: the band the carriers cross


def _corners(lift: LiftSpec) -> Array:
    lo, hi = carrier_extent(lift.carrier)
    return np.array(
        [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    )


def _project_boxes(camera: Camera, points: Array) -> Array:
    """Boxes (N, 4) of point sets (N, 8, 3); NaN where a point is nearer than NEAR."""
    n = len(points)
    flat = points.reshape(-1, 3)
    uv, _ = camera.project(flat)
    depth = camera.to_camera(flat)[:, 2].reshape(n, -1)
    uv = uv.reshape(n, -1, 2)
    boxes = np.concatenate([uv.min(1), uv.max(1)], axis=1)
    boxes[depth.min(1) < NEAR] = np.nan
    return boxes


def _inside_fraction(boxes: Array, width: int, height: int) -> Array:
    """Fraction of each box's area inside the frame, 0 for NaN boxes."""
    x0, y0, x1, y1 = (boxes[:, i] for i in range(4))
    iw = np.clip(np.minimum(x1, width) - np.maximum(x0, 0), 0, None)
    ih = np.clip(np.minimum(y1, height) - np.maximum(y0, 0), 0, None)
    area = np.maximum((x1 - x0) * (y1 - y0), 1e-9)
    return np.nan_to_num(iw * ih / area, nan=0.0)


def _boxes_at(lift: LiftSpec, positions: Array) -> Array:
    """Boxes of an unswung carrier at ``positions`` metres along the cable."""
    pts = _corners(lift)[None] + positions[:, None, None] * lift.cable_direction
    return _project_boxes(lift.camera, pts)


def _exit_distance(lift: LiftSpec, sign: float) -> float:
    """Metres from the departure point to where the carrier is out of sight on one side.

    Out of sight: its box wholly outside the frame, or wholly behind the camera (a carrier
    passing beside the camera leaves the view piece by piece; see ``FrameRenderer``).
    """
    steps = np.arange(SCAN_STEP, SCAN_MAX, SCAN_STEP)
    cam = lift.camera
    points = _corners(lift)[None] + (sign * steps)[:, None, None] * lift.cable_direction
    depth = cam.to_camera(points.reshape(-1, 3))[:, 2].reshape(len(steps), -1)
    frac = _inside_fraction(_project_boxes(cam, points), cam.width, cam.height)
    gone = np.flatnonzero((depth.max(1) < NEAR) | ((depth.min(1) >= NEAR) & (frac <= 0.0)))
    return float(steps[gone[0]]) + EXIT_MARGIN if len(gone) else SCAN_MAX


def _search_band(boxes: Array, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0 = np.clip(boxes[:, :2].min(0), 0, None)
    x1, y1 = boxes[:, 2].max(), boxes[:, 3].max()
    x1, y1 = min(float(x1), width), min(float(y1), height)
    return int(x0), int(y0), int(np.ceil(x1 - x0)), int(np.ceil(y1 - y0))


def track_of(lift: LiftSpec, speed: float) -> Track:
    """The stretch of cable a carrier travels on screen at ``speed`` m/s."""
    end = _exit_distance(lift, 1.0)
    start = -max(speed * PREROLL_S, min(_exit_distance(lift, -1.0), end))
    positions = np.arange(start, end, SCAN_STEP)
    boxes = _boxes_at(lift, positions)
    half = _inside_fraction(boxes, lift.camera.width, lift.camera.height) >= 0.5
    band = _search_band(boxes[half], lift.camera.width, lift.camera.height)
    return Track(start, end, float(positions[np.argmax(half)]), band)


# ---------------------------------------------------------------------------- passages


def _ease(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


@dataclass(frozen=True)
class BarPlan:
    """The bar goes from open (1) to ``target`` in ``duration`` seconds from ``start``."""

    kind: str
    start: float = 0.0
    duration: float = 1.0
    target: float = 1.0

    def angle(self, t: float) -> float:
        return 1.0 + (self.target - 1.0) * _ease((t - self.start) / self.duration)


@dataclass(frozen=True)
class Swing:
    """Damped pendulum swing (sideways, fore-aft) in radians, from ``t0`` seconds."""

    amplitude: tuple[float, float]
    phase: tuple[float, float]
    frequency: float
    decay: float  # seconds
    t0: float

    def at(self, t: float) -> tuple[float, float]:
        dt = max(0.0, t - self.t0)
        envelope = np.exp(-dt / self.decay)
        w = 2.0 * np.pi * self.frequency * dt
        a, p = self.amplitude, self.phase
        return float(a[0] * envelope * np.sin(w + p[0])), float(a[1] * envelope * np.sin(w + p[1]))


@dataclass(frozen=True)
class Passage:
    index: int
    departure: int  # frame
    passengers: tuple[Passenger, ...]
    bar: BarPlan
    swing: Swing


def _sample_bar(kind: str, rng: np.random.Generator, t_visible: float) -> BarPlan:
    duration = float(rng.uniform(0.6, 1.5))
    closed = float(rng.uniform(0.0, 0.08))
    if kind == "never":
        return BarPlan(kind)
    if kind == "late":
        return BarPlan(kind, float(rng.uniform(OPEN_UNTIL_S, OPEN_UNTIL_S + 2.5)), duration, closed)
    latest = -CLOSED_BY_S - duration
    earliest = min(t_visible + 0.2, latest)
    start = float(rng.uniform(earliest, latest))
    target = float(rng.uniform(OPEN_MIN, 0.8)) if kind == "partial" else closed
    return BarPlan(kind, start, duration, target)


def _check_bar(plan: BarPlan, t_visible: float) -> None:
    """The promises of the truth: normal bars are down in time, violating ones stay open."""
    if plan.kind == "normal":
        ok = plan.angle(-CLOSED_BY_S) <= 0.1 and plan.angle(0.0) <= 0.1
    else:
        ts = np.linspace(min(t_visible, 0.0), OPEN_UNTIL_S, 200)
        ok = min(plan.angle(float(t)) for t in ts) >= OPEN_MIN
    if not ok:
        raise AssertionError(f"bar plan breaks the truth contract: {plan}")


def _sample_people(lift: LiftSpec, kind: str, rng: np.random.Generator) -> tuple[Passenger, ...]:
    """Skiers on the chair: at least one, but a chair leaving open may leave empty."""
    seats, occupancy = lift.carrier.seats, lift.occupancy
    people = sample_passengers(seats, occupancy, rng)
    if kind == "never" and rng.random() < 0.3:
        return people
    for _ in range(50):
        if people:
            return people
        people = sample_passengers(seats, occupancy, rng)
    return sample_passengers(1, 1.0, rng)


def _sample_swing(lift: LiftSpec, rng: np.random.Generator, t0: float) -> Swing:
    length = lift.carrier.grip_height + 0.3
    return Swing(
        amplitude=(float(rng.uniform(0.01, 0.05)), float(rng.uniform(0.02, 0.07))),
        phase=(float(rng.uniform(0, 2 * np.pi)), float(rng.uniform(0, 2 * np.pi))),
        frequency=float(np.sqrt(9.81 / length) / (2 * np.pi) * rng.uniform(0.9, 1.1)),
        decay=float(rng.uniform(3.0, 8.0)),
        t0=t0,
    )


def _kinds(n: int, violation_rate: float, rng: np.random.Generator) -> list[str]:
    bad = rng.random(n) < violation_rate
    if n >= 4 and violation_rate > 0 and not bad.any():
        bad[int(rng.integers(n))] = True
    return [str(rng.choice(VIOLATION_KINDS, p=[0.4, 0.3, 0.3])) if b else "normal" for b in bad]


def shortest_spacing(lift: LiftSpec) -> float:
    """Metres of cable between two carriers' departures, at the closest: never touching in 3-D."""
    lo, hi = carrier_extent(lift.carrier)
    return float(max(lift.carrier.width + 0.2, hi[2] - lo[2]) + 1.0)


def _gap_frames(lift: LiftSpec, speed: float, fps: float, rng: np.random.Generator) -> int:
    """Frames between two departures: sometimes close behind, never touching in 3-D."""
    extra = rng.uniform(0.0, 1.5) if rng.random() < CLOSE_RATE else rng.uniform(1.5, 7.0)
    return int(np.ceil((shortest_spacing(lift) + extra) / speed * fps))


def schedule(
    lift: LiftSpec,
    track: Track,
    n: int,
    speed: float,
    fps: float,
    violation_rate: float,
    rng: np.random.Generator,
) -> list[Passage]:
    """The ``n`` passages of a video, drawn from ``rng``: departures, passengers, bars, swings."""
    t_visible = track.half_visible / speed
    departure = round(LEAD_S * fps) + int(np.ceil(-track.start / speed * fps))
    out = []
    for i, kind in enumerate(_kinds(n, violation_rate, rng)):
        if i:
            departure += _gap_frames(lift, speed, fps, rng)
        bar = _sample_bar(kind, rng, t_visible)
        _check_bar(bar, t_visible)
        people = _sample_people(lift, kind, rng)
        out.append(
            Passage(i, departure, people, bar, _sample_swing(lift, rng, track.start / speed))
        )
    return out


# ---------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class Timeline:
    """The carriers on the cable at every frame."""

    lift: LiftSpec
    track: Track
    passages: list[Passage]
    speed: float
    fps: float

    @property
    def frames(self) -> int:
        tail = int(np.ceil(self.track.end / self.speed * self.fps)) + round(LEAD_S * self.fps)
        return self.passages[-1].departure + tail + 1

    def state(self, passage: Passage, frame: int) -> CarrierState | None:
        t = (frame - passage.departure) / self.fps
        position = self.speed * t
        if not self.track.start - 1e-9 <= position <= self.track.end + 1e-9:
            return None
        return CarrierState(passage.bar.angle(t), position, passage.swing.at(t), passage.passengers)

    def states(self, frame: int) -> list[CarrierState]:
        found = (self.state(p, frame) for p in self.passages)
        return [s for s in found if s is not None]


def _state_box(lift: LiftSpec, state: CarrierState) -> Array:
    R, t = lift.carrier_to_world(state.position, state.swing)
    return _project_boxes(lift.camera, (_corners(lift) @ R.T + t)[None])


def passage_truth(timeline: Timeline, passage: Passage, bar_visible: float = 1.0) -> PassageTruth:
    """The truth of ``passage``: the frames it is at least half in sight, its bar angles, and
    ``bar_visible`` (``models.synthetic.visibility``)."""
    lift, cam, dep = timeline.lift, timeline.lift.camera, passage.departure
    per_metre = timeline.fps / timeline.speed
    window = range(
        dep + int(np.ceil(timeline.track.start * per_metre)),
        dep + int(np.floor(timeline.track.end * per_metre)) + 1,
    )
    states = [timeline.state(passage, k) for k in window]
    if any(s is None for s in states):
        raise AssertionError(f"passage {passage.index} leaves the cable inside its window")
    boxes = np.concatenate([_state_box(lift, s) for s in states if s is not None])
    inside = np.flatnonzero(_inside_fraction(boxes, cam.width, cam.height) >= 0.5)
    first, last = window[int(inside[0])], window[int(inside[-1])]
    angles = tuple(
        round(s.bar_angle, 4) for s in states[inside[0] : inside[-1] + 1] if s is not None
    )
    violation = angles[dep - first] > CLOSED_MAX
    if not first <= dep <= last or violation != (passage.bar.kind != "normal"):
        raise AssertionError(f"passage {passage.index} breaks the truth contract: {passage.bar}")
    return PassageTruth(
        passage.index,
        first,
        last,
        dep,
        violation,
        len(passage.passengers),
        passage.bar.kind,
        angles,
        bar_visible,
    )
