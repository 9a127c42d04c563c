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

This module renders the frames and writes the files; where the carriers are when, and the truth
that follows from it, are in ``video_timeline.py``; the truth records in ``video_truth.py``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from models.synthetic.camera import Camera
from models.synthetic.carrier import bar_primitives, body_primitives, passenger_primitives
from models.synthetic.lift import LIGHTS, LiftSpec
from models.synthetic.primitives import Lighting, Polygon, Primitive, Sphere, Tube, rasterise
from models.synthetic.samples import DEFAULT_DIFFICULTY
from models.synthetic.scene import CarrierState, Passenger, World, draw_scene, render_masks
from models.synthetic.video_timeline import (
    NEAR,
    Timeline,
    Track,
    passage_truth,
    schedule,
    shortest_spacing,
    track_of,
)
from models.synthetic.video_truth import VideoTruth
from models.synthetic.visibility import bar_visible
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
MIN_SCORE = 0.4  # the registrar's, in the station config written
FPS_RANGE = (5.0, 60.0)


# ---------------------------------------------------------------------------- frames


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


def station_config(lift: LiftSpec, track: Track, fps: float, speed: float) -> dict[str, Any]:
    """The station config (the design guide's contract) of a synthetic station directory; its
    ``min_departure_interval_s`` is the lift's carrier spacing at ``speed`` (m/s), rounded down."""
    interval = math.floor(shortest_spacing(lift) / speed * 10) / 10
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
            "min_score": MIN_SCORE,
            "min_departure_interval_s": interval,
        },
        "alarm": {"departure_window": 3},
        "enabled": True,
    }


def _write_station(out: Path, world: World, timeline: Timeline) -> None:
    lift, track, fps = timeline.lift, timeline.track, timeline.fps
    lift_id = lift.lift_id
    _write_png(out / "reference.png", render_reference(world, lift_id))
    open_mask, closed_mask = render_masks(lift, CROP)
    _write_png(out / "masks" / "open.png", open_mask)
    _write_png(out / "masks" / "closed.png", closed_mask)
    config = station_config(lift, track, fps, timeline.speed)
    text = yaml.safe_dump(config, sort_keys=False)
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
    planned = schedule(lift, track, passages, speed, rate, violation_rate, plan_rng)
    timeline = Timeline(lift, track, planned, speed, rate)
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
    light = plan.conditions.light
    drawer = FrameRenderer(lift, world.background(lift_id, light), lighting_for(lift, light))
    truth = VideoTruth(
        fps=timeline.fps,
        frames=timeline.frames,
        passages=tuple(
            passage_truth(timeline, p, bar_visible(drawer, timeline, p)) for p in timeline.passages
        ),
        lift=lift_id,
        seed=seed,
        width=lift.camera.width,
        height=lift.camera.height,
        light=plan.conditions.light,
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _write_station(out, world, timeline)
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
