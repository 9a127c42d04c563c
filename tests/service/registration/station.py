"""Synthetic stations for the registration and passage tests (shared by both packages).

``carrier_scene`` draws one lift's empty carrier at its departure point over the scenery, with
its pixel labels, so that tests can move the carrier alone by a known transform.
``station`` films a short station video once per test session and reads it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import yaml

from models.synthetic.scene import CarrierState, World, draw_scene
from models.synthetic.video import generate_station_video, reference_light
from models.synthetic.video_truth import VideoTruth
from models.synthetic.weather import lighting_for

Array = np.ndarray

# A snowy day, four passages close behind one another, three of them leaving with the bar open.
LIFT, SEED, PASSAGES, FPS = 2, 3, 4, 10.0


@cache
def world() -> World:
    return World(0)


@dataclass(frozen=True)
class Scene:
    reference: Array  # BGR: the carrier over the scenery
    labels: Array  # non-zero on the carrier
    background: Array  # BGR: the scenery alone
    roi: tuple[int, int, int, int]


def carrier_scene(lift_id: int, light: str | None = None) -> Scene:
    """Lift ``lift_id``'s reference carrier over its scenery in ``light`` (default: the
    reference's light)."""
    lift = world().lift(lift_id)
    chosen = light or reference_light(lift)
    background = world().background(lift_id, chosen)
    image, labels = draw_scene(
        lift, [CarrierState(0.0)], lift.camera, background, lighting_for(lift, chosen)
    )
    roi = tuple(int(v) for v in lift.roi)
    return Scene(image, labels, background, roi)  # type: ignore[arg-type]


def moved(scene: Scene, matrix: Array) -> Array:
    """A frame with the carrier alone moved by ``matrix`` (2×3, reference -> frame pixels)."""
    h, w = scene.reference.shape[:2]
    carrier = cv2.warpAffine(scene.reference, matrix, (w, h), flags=cv2.INTER_LINEAR)
    inside = cv2.warpAffine(scene.labels, matrix, (w, h), flags=cv2.INTER_NEAREST) > 0
    return np.where(inside[..., None], carrier, scene.background)


@dataclass(frozen=True)
class Station:
    directory: Path
    config: dict[str, Any]  # the ``registration`` section of station.yaml
    reference: Array
    frames: list[Array]
    truth: VideoTruth


def _read_frames(path: Path) -> list[Array]:
    capture = cv2.VideoCapture(str(path))
    frames: list[Array] = []
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                return frames
            frames.append(frame)
    finally:
        capture.release()


def station(factory: pytest.TempPathFactory) -> Station:
    """The session's synthetic station, filmed on first use."""
    out = factory.getbasetemp() / "synthetic-station"
    if not (out / "truth.json").is_file():  # written last
        generate_station_video(world(), LIFT, PASSAGES, out, seed=SEED, fps=FPS)
    config = yaml.safe_load((out / "station.yaml").read_text())["registration"]
    reference = cv2.imread(str(out / config["reference"]))
    assert reference is not None
    truth = VideoTruth.from_dict(json.loads((out / "truth.json").read_text()))
    return Station(out, config, reference, _read_frames(out / "station.mp4"), truth)
