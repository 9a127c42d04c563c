"""Scenes: carriers with their passengers and bar, placed in a lift's world and drawn."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from models.synthetic.background import render_background
from models.synthetic.camera import Camera
from models.synthetic.carrier import (
    bar_primitives,
    body_primitives,
    carrier_extent,
    passenger_primitives,
)
from models.synthetic.lift import LiftSpec, make_lift
from models.synthetic.primitives import Lighting, Polygon, Primitive, Sphere, Tube, rasterise

Array = np.ndarray
Color = tuple[float, float, float]


@dataclass(frozen=True)
class Passenger:
    seat: int
    size: float
    jacket: Color
    trousers: Color
    helmet: Color
    skis: Color


@dataclass(frozen=True)
class CarrierState:
    """One carrier at one instant."""

    bar_angle: float  # 0 closed .. 1 open
    position: float = 0.0  # metres along the cable from the departure point
    swing: tuple[float, float] = (0.0, 0.0)
    passengers: tuple[Passenger, ...] = ()


def _color(rng: np.random.Generator, lo: float = 20, hi: float = 235) -> Color:
    c = rng.uniform(lo, hi, 3)
    return (float(c[0]), float(c[1]), float(c[2]))


def sample_passengers(
    seats: int, occupancy: float, rng: np.random.Generator
) -> tuple[Passenger, ...]:
    """0 to ``seats`` skiers, each seat taken with probability ``occupancy``."""
    out = []
    for seat in range(seats):
        if rng.random() < occupancy:
            size = float(rng.uniform(0.7, 1.1))
            out.append(
                Passenger(seat, size, _color(rng), _color(rng, 10, 120), _color(rng), _color(rng))
            )
    return tuple(out)


def _transform(prim: Primitive, R: Array, t: Array) -> Primitive:
    if isinstance(prim, Sphere):
        return Sphere(R @ prim.center + t, prim.radius, prim.color, prim.label)
    moved = prim.points @ R.T + t
    if isinstance(prim, Tube):
        return Tube(moved, prim.radius, prim.color, prim.label)
    return Polygon(moved, prim.color, prim.label)


def carrier_primitives(lift: LiftSpec, state: CarrierState, bar_only: bool = False) -> list:
    """World-space primitives of a carrier in ``state``."""
    spec = lift.carrier
    prims = bar_primitives(spec, state.bar_angle)
    if not bar_only:
        prims += body_primitives(spec)
        for p in state.passengers:
            prims += passenger_primitives(
                spec, p.seat, p.size, p.jacket, p.trousers, p.helmet, p.skis
            )
    R, t = lift.carrier_to_world(state.position, state.swing)
    return [_transform(p, R, t) for p in prims]


def _anchors(lift: LiftSpec, state: CarrierState) -> Array:
    lo, hi = carrier_extent(lift.carrier)
    corners = np.array(
        [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    )
    R, t = lift.carrier_to_world(state.position, state.swing)
    return corners @ R.T + t


def registration_affine(
    lift: LiftSpec, state: CarrierState, camera: Camera, jitter: tuple[float, float, float, float]
) -> Array:
    """The 2×3 warp of a registered crop: undo the carrier's offset, then leave ``jitter``.

    ``jitter`` = (dx px, dy px, rotation rad, log scale): the residual of a real registration.
    """
    seen, _ = camera.project(_anchors(lift, state))
    nominal, _ = camera.project(_anchors(lift, CarrierState(state.bar_angle)))
    fit, _ = cv2.estimateAffinePartial2D(seen.astype(np.float32), nominal.astype(np.float32))
    A = np.eye(3)
    if fit is not None:
        A[:2] = fit
    dx, dy, rot, log_scale = jitter
    c = np.array([camera.width / 2.0, camera.height / 2.0])
    J = cv2.getRotationMatrix2D(
        (float(c[0]), float(c[1])), float(np.degrees(rot)), float(np.exp(log_scale))
    )
    J[:, 2] += np.array([dx, dy])
    return (np.vstack([J, [0, 0, 1]]) @ A)[:2]


@dataclass
class World:
    """The lifts of one world seed, with their scenery drawn once and kept."""

    world_seed: int = 0
    _lifts: dict[int, LiftSpec] = field(default_factory=dict)
    _backgrounds: dict[tuple[int, str], Array] = field(default_factory=dict)

    def lift(self, lift_id: int) -> LiftSpec:
        if lift_id not in self._lifts:
            self._lifts[lift_id] = make_lift(lift_id, self.world_seed)
        return self._lifts[lift_id]

    def background(self, lift_id: int, light: str) -> Array:
        key = (lift_id, light)
        if key not in self._backgrounds:
            self._backgrounds[key] = render_background(self.lift(lift_id), light)
        return self._backgrounds[key]


def draw_scene(
    lift: LiftSpec,
    states: list[CarrierState],
    camera: Camera,
    background: Array,
    light: Lighting,
    affine: Array | None = None,
) -> tuple[Array, Array]:
    """Carriers over ``background`` (already in ``camera``'s pixels): image and labels."""
    image = background.copy()
    labels = np.zeros(image.shape[:2], np.uint8)
    prims: list[Primitive] = []
    for state in states:
        prims += carrier_primitives(lift, state)
    rasterise(prims, camera, image, labels, light, affine)
    return image, labels


def crop_background(full: Array, lift: LiftSpec, size: int, affine: Array) -> Array:
    """The registered crop of a full-frame background under the warp ``affine``."""
    x, y, w, h = lift.roi
    crop = np.array([[size / w, 0, -x * size / w], [0, size / h, -y * size / h], [0, 0, 1]])
    M = (np.vstack([affine, [0, 0, 1]]) @ crop)[:2]
    return cv2.warpAffine(
        full, M, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )


def render_masks(lift: LiftSpec, size: int = 200) -> tuple[Array, Array]:
    """The lift's (open, closed) bar masks in registered coordinates: uint8, 0 or 255.

    Drawn as an operator would: the bar alone, a little thicker than it looks, no passengers.
    """
    camera = lift.crop_camera(size)
    light = Lighting(np.array([0.0, 1.0, 0.0]))
    masks = []
    for angle in (1.0, 0.0):
        prims = carrier_primitives(lift, CarrierState(angle), bar_only=True)
        thick = [
            Tube(p.points, p.radius * 1.4, p.color, p.label) if isinstance(p, Tube) else p
            for p in prims
        ]
        img = np.zeros((size, size, 3), np.uint8)
        labels = np.zeros((size, size), np.uint8)
        rasterise(thick, camera, img, labels, light)
        masks.append(np.where(labels > 0, 255, 0).astype(np.uint8))
    return masks[0], masks[1]
