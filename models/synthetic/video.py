"""Synthetic station videos: carriers leaving a boarding station, with their ground truth.

``generate_station_video`` films one lift of a :class:`World` with its station camera: carriers
pass one after another along the cable at a constant speed, swinging a little, while their
passengers lower the safety bar, or, in a violation, leave with it open. It writes into a
directory everything a station needs, in the contracts of the design guide (DESIGN.md):

- ``station.mp4``: the 640×360 video; ``truth.json``: per passage, its frames and ``violation``;
- ``station.yaml``: the station config, with ``reference.png`` (an empty carrier at the
  departure point, bar closed, clear light) and the lift's masks ``masks/{open,closed}.png``.

Times of a passage are in seconds from its departure (the frame where the carrier is at
position 0 along the cable, the registered ROI); frames are 0-based indices into the video.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from models.synthetic.camera import Camera
from models.synthetic.carrier import (
    bar_primitives,
    body_primitives,
    carrier_extent,
    passenger_primitives,
)
from models.synthetic.lift import LIGHTS, LiftSpec
from models.synthetic.primitives import Lighting, Polygon, Primitive, Sphere, Tube, rasterise
from models.synthetic.samples import CLOSED_MAX, DEFAULT_DIFFICULTY, OPEN_MIN
from models.synthetic.scene import (
    CarrierState,
    Passenger,
    World,
    draw_scene,
    render_masks,
    sample_passengers,
)
from models.synthetic.weather import (
    Conditions,
    apply_conditions,
    lighting_for,
    sample_conditions,
)

logger = logging.getLogger(__name__)

Array = np.ndarray
Progress = Callable[[int, int], None]  # (frames written, total frames)

FOURCC = "mp4v"
CROP = 200
FPS_RANGE = (5.0, 60.0)
NEAR = 0.3  # metres: primitives closer to the camera than this are not drawn
PREROLL_S = 3.0  # a carrier is on the cable at least this long before its departure
LEAD_S = 0.5  # empty video before the first carrier and after the last
CLOSED_BY_S = 0.6  # a normal bar is down this long before departure (the contract: 0.5 s)
OPEN_UNTIL_S = 0.5  # a violating bar stays open until this long after departure
SCAN_STEP, SCAN_MAX = 0.02, 60.0  # metres: the search for where a carrier leaves the frame
EXIT_MARGIN = 0.5  # metres past that, so that a swinging carrier is out of sight too
VIOLATION_KINDS = ("never", "late", "partial")
CLOSE_RATE = 0.35  # how often the next carrier follows close behind


# ---------------------------------------------------------------------------- ground truth


@dataclass(frozen=True)
class PassageTruth:
    """One carrier's passage: frames where it is at least half inside the frame, its departure."""

    passage: int
    first_frame: int
    last_frame: int
    departure_frame: int
    violation: bool  # bar angle at the departure frame > CLOSED_MAX
    passengers: int
    kind: str  # "normal" | "never" | "late" | "partial"
    bar_angles: tuple[float, ...]  # one per frame, first_frame..last_frame


@dataclass(frozen=True)
class VideoTruth:
    """The ground truth of a station video (truth.json)."""

    fps: float
    frames: int
    passages: tuple[PassageTruth, ...]
    lift: int
    seed: int
    width: int
    height: int
    light: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for p in data["passages"]:
            p["bar_angles"] = list(p["bar_angles"])
        return data

    def to_json(self) -> str:
        """JSON text with one passage a line."""
        data = self.to_dict()
        passages = ",\n  ".join(json.dumps(p) for p in data.pop("passages"))
        return f'{json.dumps(data)[:-1]}, "passages": [\n  {passages}\n]}}\n'

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoTruth:
        passages = tuple(
            PassageTruth(**{**p, "bar_angles": tuple(p["bar_angles"])}) for p in data["passages"]
        )
        return cls(**{**data, "passages": passages})


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


def _gap_frames(lift: LiftSpec, speed: float, fps: float, rng: np.random.Generator) -> int:
    """Frames between two departures: sometimes close behind, never touching in 3-D."""
    lo, hi = carrier_extent(lift.carrier)
    shortest = max(lift.carrier.width + 0.2, hi[2] - lo[2]) + 1.0
    extra = rng.uniform(0.0, 1.5) if rng.random() < CLOSE_RATE else rng.uniform(1.5, 7.0)
    return int(np.ceil((shortest + extra) / speed * fps))


def _schedule(
    lift: LiftSpec,
    track: Track,
    n: int,
    speed: float,
    fps: float,
    violation_rate: float,
    rng: np.random.Generator,
) -> list[Passage]:
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


# ---------------------------------------------------------------------------- frames


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


def _passage_truth(timeline: Timeline, passage: Passage) -> PassageTruth:
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
    )


def _points(prims: list[Primitive]) -> list[Array]:
    return [p.center[None] if isinstance(p, Sphere) else p.points for p in prims]


def _move(prims: list[Primitive], R: Array, t: Array) -> list[Primitive]:
    """``prims`` moved by the rigid motion ``(R, t)``, all points at once."""
    chunks = _points(prims)
    moved = np.concatenate(chunks) @ R.T + t
    parts = np.split(moved, np.cumsum([len(c) for c in chunks])[:-1])
    out: list[Primitive] = []
    for p, m in zip(prims, parts, strict=True):
        if isinstance(p, Sphere):
            out.append(Sphere(m[0], p.radius, p.color, p.label))
        elif isinstance(p, Tube):
            out.append(Tube(m, p.radius, p.color, p.label))
        else:
            out.append(Polygon(m, p.color, p.label))
    return out


def _visible(prims: list[Primitive], camera: Camera) -> list[Primitive]:
    """The primitives wholly in front of the camera's near plane."""
    chunks = _points(prims)
    depth = camera.to_camera(np.concatenate(chunks))[:, 2]
    ends = np.cumsum([len(c) for c in chunks])
    mins = np.minimum.reduceat(depth, np.concatenate([[0], ends[:-1]]))
    return [p for p, d in zip(prims, mins, strict=True) if d >= NEAR]


@dataclass
class FrameRenderer:
    """Draws a lift's station frames over one background, building each chair's body once."""

    lift: LiftSpec
    background: Array
    light: Lighting
    _fixed: dict[tuple[Passenger, ...], list[Primitive]] = field(default_factory=dict)

    def _carrier(self, state: CarrierState) -> list[Primitive]:
        spec = self.lift.carrier
        fixed = self._fixed.get(state.passengers)
        if fixed is None:
            fixed = body_primitives(spec)
            for p in state.passengers:
                fixed += passenger_primitives(
                    spec, p.seat, p.size, p.jacket, p.trousers, p.helmet, p.skis
                )
            self._fixed[state.passengers] = fixed
        R, t = self.lift.carrier_to_world(state.position, state.swing)
        return _move(bar_primitives(spec, state.bar_angle) + fixed, R, t)

    def draw(self, states: Sequence[CarrierState]) -> tuple[Array, Array]:
        """The frame of carriers in ``states``: BGR image and labels."""
        image = self.background.copy()
        labels = np.zeros(image.shape[:2], np.uint8)
        prims = [p for state in states for p in self._carrier(state)]
        if prims:
            camera = self.lift.camera
            rasterise(_visible(prims, camera), camera, image, labels, self.light)
        return image, labels


def _write_video(
    path: Path,
    timeline: Timeline,
    world: World,
    weather: tuple[Conditions, np.random.Generator],
    progress: Progress | None,
) -> None:
    """Render every frame, degrade it with the video's conditions and write it."""
    lift, (cond, rng) = timeline.lift, weather
    renderer = FrameRenderer(
        lift, world.background(lift.lift_id, cond.light), lighting_for(lift, cond.light)
    )
    size = (lift.camera.width, lift.camera.height)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*FOURCC), timeline.fps, size)
    if not writer.isOpened():
        raise RuntimeError(f"cannot open a {FOURCC!r} video writer for {path}")
    try:
        total = timeline.frames
        for k in range(total):
            image, labels = renderer.draw(timeline.states(k))
            writer.write(apply_conditions(image, labels, cond, rng))
            if progress is not None:
                progress(k + 1, total)
    finally:
        writer.release()


# ---------------------------------------------------------------------------- station files


def reference_light(lift: LiftSpec) -> str:
    """The clearer of 'sun' and 'overcast': whichever the lift sees more often."""
    probs = dict(zip(LIGHTS, lift.light_probs, strict=True))
    return "sun" if probs["sun"] >= probs["overcast"] else "overcast"


def render_reference(world: World, lift_id: int) -> Array:
    """The station's reference frame: an empty carrier at the departure point, bar closed."""
    lift = world.lift(lift_id)
    light = reference_light(lift)
    image, _ = draw_scene(
        lift,
        [CarrierState(0.0)],
        lift.camera,
        world.background(lift_id, light),
        lighting_for(lift, light),
    )
    return image


def _write_png(path: Path, image: Array) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), image):
        raise RuntimeError(f"cannot write {path}")


def station_config(lift: LiftSpec, track: Track, fps: float) -> dict[str, Any]:
    """The station config (the design guide's contract) of a synthetic station directory."""
    name = f"lift-{lift.lift_id:02d}"
    return {
        "id": f"{name}-station",
        "lift": name,
        "source": "station.mp4",
        "fps": int(fps) if float(fps).is_integer() else float(fps),
        "registration": {
            "reference": "reference.png",
            "roi": [int(v) for v in lift.roi],
            "search": list(track.search),
            "crop": CROP,
            "min_score": 0.5,
        },
        "alarm": {"departure_window": 3},
        "enabled": True,
    }


def _write_station(out: Path, world: World, lift_id: int, track: Track, fps: float) -> None:
    lift = world.lift(lift_id)
    _write_png(out / "reference.png", render_reference(world, lift_id))
    open_mask, closed_mask = render_masks(lift, CROP)
    _write_png(out / "masks" / "open.png", open_mask)
    _write_png(out / "masks" / "closed.png", closed_mask)
    text = yaml.safe_dump(station_config(lift, track, fps), sort_keys=False)
    (out / "station.yaml").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------- entry point


def _validate(
    lift_id: int, passages: int, fps: float | None, difficulty: float, violation_rate: float
) -> None:
    if lift_id < 1:
        raise ValueError(f"lift_id must be >= 1, got {lift_id}")
    if passages < 1:
        raise ValueError(f"passages must be >= 1, got {passages}")
    if fps is not None and not FPS_RANGE[0] <= fps <= FPS_RANGE[1]:
        raise ValueError(f"fps must be in [{FPS_RANGE[0]:g}, {FPS_RANGE[1]:g}], got {fps}")
    if not difficulty >= 0:
        raise ValueError(f"difficulty must be >= 0, got {difficulty}")
    if not 0.0 <= violation_rate <= 1.0:
        raise ValueError(f"violation_rate must be in [0, 1], got {violation_rate}")


@dataclass(frozen=True)
class _Plan:
    """Everything drawn from the seed before the first frame is rendered."""

    timeline: Timeline
    conditions: Conditions
    noise: np.random.Generator  # per-frame noise and snow


def _plan(
    world: World,
    lift_id: int,
    passages: int,
    seed: int,
    fps: float | None,
    difficulty: float,
    violation_rate: float,
) -> _Plan:
    lift = world.lift(lift_id)
    streams = np.random.SeedSequence([seed, world.world_seed, lift_id]).spawn(3)
    plan_rng, cond_rng, noise_rng = (np.random.default_rng(s) for s in streams)
    drawn_fps = int(plan_rng.integers(15, 26))
    rate = float(fps) if fps is not None else float(drawn_fps)
    speed = float(plan_rng.uniform(1.0, 2.5))
    track = track_of(lift, speed)
    schedule = _schedule(lift, track, passages, speed, rate, violation_rate, plan_rng)
    timeline = Timeline(lift, track, schedule, speed, rate)
    return _Plan(timeline, sample_conditions(lift, cond_rng, difficulty), noise_rng)


def generate_station_video(
    world: World,
    lift_id: int,
    passages: int,
    out_dir: str | Path,
    seed: int = 0,
    fps: float | None = None,
    difficulty: float = DEFAULT_DIFFICULTY,
    violation_rate: float = 0.25,
    progress: Progress | None = None,
) -> VideoTruth:
    """Film ``passages`` carriers of ``lift_id`` leaving its station; write the station directory.

    Everything is drawn from ``(seed, world seed, lift_id)``: the same arguments give the same
    files. ``fps`` is drawn in 15..25 unless given; ``violation_rate`` is the probability that a
    passage leaves with its bar open (at least one does when ``passages >= 4`` and the rate > 0).
    ``progress(done, total)`` is called after every frame written.
    """
    _validate(lift_id, passages, fps, difficulty, violation_rate)
    plan = _plan(world, lift_id, passages, seed, fps, difficulty, violation_rate)
    timeline, lift = plan.timeline, plan.timeline.lift
    truth = VideoTruth(
        fps=timeline.fps,
        frames=timeline.frames,
        passages=tuple(_passage_truth(timeline, p) for p in timeline.passages),
        lift=lift_id,
        seed=seed,
        width=lift.camera.width,
        height=lift.camera.height,
        light=plan.conditions.light,
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _write_station(out, world, lift_id, timeline.track, timeline.fps)
    _write_video(out / "station.mp4", timeline, world, (plan.conditions, plan.noise), progress)
    (out / "truth.json").write_text(truth.to_json(), encoding="utf-8")
    logger.info(
        "lift %d: %d passages, %d frames at %g fps, %.2f m/s, %s",
        lift_id,
        passages,
        truth.frames,
        timeline.fps,
        timeline.speed,
        truth.light,
    )
    return truth
