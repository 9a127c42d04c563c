"""A lift of the synthetic world: its carrier, its station camera, its scenery and its weather.

Every lift is a deterministic function of ``(world_seed, lift_id)``: data sets drawn with other
seeds show the same 20 lifts with new images, as new days at the same stations would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.synthetic.camera import Camera, rotation_x, rotation_z
from models.synthetic.carrier import CarrierSpec, carrier_extent, sample_carrier

Array = np.ndarray
Color = tuple[float, float, float]
FRAME_WIDTH, FRAME_HEIGHT = 640, 360
LIGHTS = ("sun", "overcast", "fog", "snow", "dusk")

PALETTE: list[Color] = [
    (60, 60, 60),
    (25, 25, 28),
    (150, 150, 155),
    (200, 200, 205),
    (140, 60, 20),
    (30, 40, 170),
    (20, 160, 220),
    (40, 120, 40),
    (40, 100, 200),
    (120, 40, 120),
]


@dataclass(frozen=True)
class LiftSpec:
    lift_id: int
    world_seed: int
    carrier: CarrierSpec
    camera: Camera  # the station camera, full frame
    roi: tuple[float, float, float, float]  # carrier's box at the departure point (x, y, w, h)
    cable_slope: float  # radians
    light_probs: tuple[float, ...]  # over LIGHTS
    sun_direction: Array
    glare_rate: float
    noise_level: float  # sensor quality, 0 good .. 1 poor
    occupancy: float  # mean fraction of seats taken
    scenery_seed: int

    @property
    def cable_direction(self) -> Array:
        return np.array([0.0, np.sin(self.cable_slope), np.cos(self.cable_slope)])

    def grip(self) -> Array:
        return np.array([0.0, self.carrier.grip_height, 0.05])

    def carrier_to_world(self, position: float, swing: tuple[float, float]) -> tuple[Array, Array]:
        """Rotation and translation of the carrier at ``position`` metres along the cable.

        ``swing`` is (sideways, fore-aft) in radians about the grip.
        """
        R = rotation_z(swing[0]) @ rotation_x(swing[1])
        grip = self.grip()
        t = grip - R @ grip + position * self.cable_direction
        return R, t

    def crop_camera(self, size: int = 200) -> Camera:
        return self.camera.crop(self.roi, size)


def _box_corners(lo: Array, hi: Array) -> Array:
    return np.array(
        [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    )


def _place_camera(rng: np.random.Generator, carrier: CarrierSpec) -> tuple[Camera, tuple]:
    lo, hi = carrier_extent(carrier)
    target = (lo + hi) / 2.0
    side = 1.0 if rng.random() < 0.5 else -1.0
    yaw = side * float(rng.uniform(0.3, 1.1))
    pitch = float(rng.uniform(-0.1, 0.5))
    roll = float(rng.uniform(-0.1, 0.1))
    distance = float(rng.uniform(5.0, 9.0)) + carrier.width
    unit = Camera.looking_at(target, yaw, pitch, roll, distance, 1.0, FRAME_WIDTH, FRAME_HEIGHT)
    uv, _ = unit.project(_box_corners(lo, hi))
    extent = float(np.max(uv.max(0) - uv.min(0)))  # angular size at focal 1
    roi_px = float(rng.uniform(190.0, 300.0))
    focal = roi_px / (extent * 1.08)
    cam = Camera.looking_at(target, yaw, pitch, roll, distance, focal, FRAME_WIDTH, FRAME_HEIGHT)
    shift_x = float(rng.uniform(-1.0, 1.0)) * (FRAME_WIDTH - roi_px) * 0.3
    shift_y = float(rng.uniform(-1.0, 1.0)) * max(0.0, FRAME_HEIGHT - roi_px - 20) * 0.4
    cam = Camera(
        cam.R,
        cam.position,
        focal,
        focal,
        cam.cx + shift_x,
        cam.cy + shift_y,
        FRAME_WIDTH,
        FRAME_HEIGHT,
    )
    uv, _ = cam.project(_box_corners(lo, hi))
    centre = (uv.min(0) + uv.max(0)) / 2.0
    half = roi_px / 2.0
    x0 = float(np.clip(centre[0] - half, 0, FRAME_WIDTH - roi_px))
    y0 = float(np.clip(centre[1] - half, 0, FRAME_HEIGHT - roi_px))
    return cam, (round(x0), round(y0), round(roi_px), round(roi_px))


def make_lift(lift_id: int, world_seed: int = 0) -> LiftSpec:
    """The lift ``lift_id`` (1-based) of the world ``world_seed``."""
    if lift_id < 1:
        raise ValueError(f"lift ids start at 1, got {lift_id}")
    rng = np.random.default_rng([world_seed, lift_id, 7919])
    carrier = sample_carrier(rng, PALETTE)
    camera, roi = _place_camera(rng, carrier)
    probs = rng.dirichlet([3.0, 2.0, 0.8, 0.8, 0.8])
    sun = np.array([rng.uniform(-1, 1), rng.uniform(0.3, 1.0), rng.uniform(-1, 1)])
    return LiftSpec(
        lift_id=lift_id,
        world_seed=world_seed,
        carrier=carrier,
        camera=camera,
        roi=roi,
        cable_slope=float(rng.uniform(0.0, 0.25)),
        light_probs=tuple(float(p) for p in probs),
        sun_direction=sun / np.linalg.norm(sun),
        glare_rate=float(rng.uniform(0.0, 0.3)),
        noise_level=float(rng.uniform(0.0, 1.0)),
        occupancy=float(rng.uniform(0.35, 0.9)),
        scenery_seed=int(rng.integers(2**31)),
    )
