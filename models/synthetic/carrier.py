"""The carrier (chair) of a lift as 3-D primitives, with its safety bar at a given angle.

Carrier coordinates, metres: x across the seats, y up (0 = seat surface), z forward (the
direction the passengers face and the chair travels). The grip on the haul rope is above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.synthetic.primitives import Label, Polygon, Primitive, Sphere, Tube

Array = np.ndarray
Color = tuple[float, float, float]
SEAT_WIDTH = 0.5


@dataclass(frozen=True)
class CarrierSpec:
    seats: int
    hanger: str  # "straight" | "bent" | "twin"
    grip_height: float
    seat_depth: float
    seat_thickness: float
    backrest_height: float
    backrest_tilt: float  # radians, leaning back
    split_backrest: bool
    pivot_height: float
    pivot_back: float  # pivot z (negative: behind the seat front)
    bar_length: float
    bar_radius: float
    bar_style: str  # "side" (two side arms) | "centre" (one arm in the middle)
    bar_closed_angle: float  # radians from +z towards +y
    bar_open_angle: float
    footrest: bool
    footrest_drop: float
    frame_radius: float
    frame_color: Color
    seat_color: Color
    bar_color: Color

    @property
    def width(self) -> float:
        return self.seats * SEAT_WIDTH


def sample_carrier(rng: np.random.Generator, palette: list[Color]) -> CarrierSpec:
    seats = int(rng.choice([1, 2, 3, 4, 4, 6, 6, 8]))
    frame = palette[int(rng.integers(len(palette)))]
    bar_same_as_frame = rng.random() < 0.5
    bar = frame if bar_same_as_frame else palette[int(rng.integers(len(palette)))]
    return CarrierSpec(
        seats=seats,
        hanger=str(rng.choice(["straight", "bent", "twin"])),
        grip_height=float(rng.uniform(1.9, 2.4)),
        seat_depth=float(rng.uniform(0.4, 0.55)),
        seat_thickness=float(rng.uniform(0.05, 0.14)),
        backrest_height=float(rng.uniform(0.35, 0.7)),
        backrest_tilt=float(rng.uniform(0.05, 0.3)),
        split_backrest=bool(rng.random() < 0.4),
        pivot_height=float(rng.uniform(0.55, 0.95)),
        pivot_back=float(rng.uniform(-0.3, -0.05)),
        bar_length=float(rng.uniform(0.75, 1.05)),
        bar_radius=float(rng.uniform(0.018, 0.035)),
        bar_style="centre" if seats <= 3 and rng.random() < 0.4 else "side",
        bar_closed_angle=float(rng.uniform(-0.55, -0.2)),
        bar_open_angle=float(rng.uniform(1.45, 1.9)),
        footrest=bool(rng.random() < 0.65),
        footrest_drop=float(rng.uniform(0.35, 0.55)),
        frame_radius=float(rng.uniform(0.025, 0.045)),
        frame_color=frame,
        seat_color=palette[int(rng.integers(len(palette)))],
        bar_color=bar,
    )


def _box_faces(lo: Array, hi: Array, color: Color, label: Label) -> list[Primitive]:
    """The six faces of an axis-aligned box."""
    x0, y0, z0 = lo
    x1, y1, z1 = hi
    c = [
        [x0, y0, z0],
        [x1, y0, z0],
        [x1, y1, z0],
        [x0, y1, z0],
        [x0, y0, z1],
        [x1, y0, z1],
        [x1, y1, z1],
        [x0, y1, z1],
    ]
    v = np.array(c, dtype=float)
    faces = [(0, 1, 2, 3), (4, 5, 6, 7), (0, 1, 5, 4), (3, 2, 6, 7), (0, 3, 7, 4), (1, 2, 6, 5)]
    return [Polygon(v[list(f)], color, label) for f in faces]


def bar_primitives(spec: CarrierSpec, angle01: float) -> list[Primitive]:
    """The safety bar at ``angle01`` (0 closed, 1 open), in carrier coordinates."""
    phi = spec.bar_closed_angle + angle01 * (spec.bar_open_angle - spec.bar_closed_angle)
    arm = np.array([0.0, np.sin(phi), np.cos(phi)])
    drop = np.array([0.0, -np.cos(phi), np.sin(phi)])  # perpendicular, "down" when closed
    half = spec.width / 2.0
    if spec.bar_style == "side":
        pivots = [
            np.array([-half, spec.pivot_height, spec.pivot_back]),
            np.array([half, spec.pivot_height, spec.pivot_back]),
        ]
    else:
        pivots = [np.array([0.0, spec.pivot_height + 0.25, spec.pivot_back])]
    prims: list[Primitive] = []
    ends = []
    for p in pivots:
        end = p + spec.bar_length * arm
        ends.append(end)
        prims.append(Tube(np.stack([p, end]), spec.bar_radius, spec.bar_color, Label.BAR))
    cross_half = half - 0.03 if spec.bar_style == "side" else min(half, 0.45)
    centre = np.mean(ends, axis=0)
    left, right = centre.copy(), centre.copy()
    left[0], right[0] = -cross_half, cross_half
    prims.append(Tube(np.stack([left, right]), spec.bar_radius, spec.bar_color, Label.BAR))
    if spec.footrest:
        foot_l, foot_r = left + spec.footrest_drop * drop, right + spec.footrest_drop * drop
        for i in range(spec.seats):
            x = -half + (i + 0.5) * SEAT_WIDTH
            top, bottom = centre.copy(), centre + spec.footrest_drop * drop
            top[0] = bottom[0] = x
            prims.append(
                Tube(np.stack([top, bottom]), spec.bar_radius * 0.8, spec.bar_color, Label.BAR)
            )
        prims.append(Tube(np.stack([foot_l, foot_r]), spec.bar_radius, spec.bar_color, Label.BAR))
    return prims


def body_primitives(spec: CarrierSpec) -> list[Primitive]:
    """Hanger, frame, seat and backrest: everything of the carrier but the bar."""
    half = spec.width / 2.0
    r = spec.frame_radius
    fc, sc = spec.frame_color, spec.seat_color
    back_z = -0.05
    top_y = spec.backrest_height + 0.1
    top_z = back_z - np.tan(spec.backrest_tilt) * spec.backrest_height
    yoke_y = max(top_y, spec.pivot_height) + 0.1
    prims: list[Primitive] = []
    grip = np.array([0.0, spec.grip_height, 0.05])
    grips = [grip] if spec.hanger != "twin" else [grip + [-0.2, 0, 0], grip + [0.2, 0, 0]]
    for g in grips:
        if spec.hanger == "bent":
            path = [g, g + [0.0, -0.35, top_z - 0.25], [g[0], yoke_y, top_z - 0.15]]
        else:
            path = [g, [g[0], yoke_y, top_z - 0.15]]
        prims.append(Tube(np.array(path, dtype=float), r * 1.2, fc, Label.CARRIER))
    yoke = np.array([[-half, yoke_y, top_z - 0.15], [half, yoke_y, top_z - 0.15]])
    prims.append(Tube(yoke, r, fc, Label.CARRIER))
    for x in (-half, half):  # side frames: yoke down behind the backrest, under the seat
        side = np.array(
            [
                [x, yoke_y, top_z - 0.15],
                [x, 0.0, back_z - 0.08],
                [x, -spec.seat_thickness, spec.seat_depth],
            ]
        )
        prims.append(Tube(side, r, fc, Label.CARRIER))
    prims += _box_faces(
        np.array([-half, -spec.seat_thickness, back_z]),
        np.array([half, 0.0, spec.seat_depth]),
        sc,
        Label.CARRIER,
    )
    panels = (
        [
            (-half + i * SEAT_WIDTH + 0.03, -half + (i + 1) * SEAT_WIDTH - 0.03)
            for i in range(spec.seats)
        ]
        if spec.split_backrest
        else [(-half, half)]
    )
    for x0, x1 in panels:
        quad = np.array(
            [[x0, 0.1, back_z], [x1, 0.1, back_z], [x1, top_y, top_z], [x0, top_y, top_z]]
        )
        prims.append(Polygon(quad, sc, Label.CARRIER))
    return prims


def passenger_primitives(
    spec: CarrierSpec,
    seat: int,
    size: float,
    jacket: Color,
    trousers: Color,
    helmet: Color,
    skis: Color,
) -> list[Primitive]:
    """A seated skier on seat ``seat``; ``size`` 1 is an adult."""
    x = -spec.width / 2.0 + (seat + 0.5) * SEAT_WIDTH
    s = size
    hip = np.array([x, 0.12 * s, 0.05])
    shoulder = np.array([x, 0.12 * s + 0.5 * s, -0.02])
    w = 0.2 * s
    torso = np.array(
        [hip + [-w, 0, 0.04], hip + [w, 0, 0.04], shoulder + [w, 0, 0.1], shoulder + [-w, 0, 0.1]]
    )
    prims: list[Primitive] = [Polygon(torso, jacket, Label.PERSON)]
    head = shoulder + [0.0, 0.2 * s, 0.08]
    prims.append(Sphere(head, 0.12 * s, helmet, Label.PERSON))
    prims.append(Sphere(head + [0.0, -0.03 * s, 0.09 * s], 0.06 * s, (150, 170, 215), Label.PERSON))
    for side in (-1.0, 1.0):
        hip_s = hip + [side * 0.1 * s, 0.0, 0.12]
        knee = np.array([hip_s[0], 0.1 * s, spec.seat_depth + 0.1])
        foot = np.array([hip_s[0], -0.42 * s, spec.seat_depth + 0.18])
        prims.append(Tube(np.stack([hip_s, knee, foot]), 0.075 * s, trousers, Label.PERSON))
        arm_top = shoulder + [side * (w + 0.03), -0.03, 0.1]
        hand = np.array([arm_top[0] - side * 0.06, 0.18 * s, spec.seat_depth * 0.7])
        prims.append(Tube(np.stack([arm_top, hand]), 0.055 * s, jacket, Label.PERSON))
        ski = np.array(
            [
                [foot[0] - 0.04, foot[1] - 0.05, foot[2] - 0.7],
                [foot[0] + 0.04, foot[1] - 0.05, foot[2] - 0.7],
                [foot[0] + 0.04, foot[1] - 0.05, foot[2] + 0.9],
                [foot[0] - 0.04, foot[1] - 0.05, foot[2] + 0.9],
            ]
        )
        prims.append(Polygon(ski, skis, Label.PERSON))
    return prims


def carrier_extent(spec: CarrierSpec) -> tuple[Array, Array]:
    """Corners (lo, hi) of the box holding the chair and its bar at any angle."""
    half = spec.width / 2.0
    reach = spec.bar_length + (spec.footrest_drop if spec.footrest else 0.0)
    lo = np.array([-half - 0.1, -0.6, -0.6])
    hi = np.array([half + 0.1, spec.pivot_height + 0.25 + spec.bar_length + 0.1, 0.5 + reach])
    return lo, hi
