"""3-D drawing primitives and their rasteriser (painter's algorithm with OpenCV).

Every primitive carries a segmentation label, so the image and its pixel segmentation are drawn
by the same code in the same order and can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import cv2
import numpy as np

from models.synthetic.camera import Camera

Array = np.ndarray
SHIFT = 4  # sub-pixel bits for OpenCV drawing
SCALE = 1 << SHIFT


class Label(IntEnum):
    """Pixel classes of the segmentation."""

    BACKGROUND = 0
    CARRIER = 1
    BAR = 2
    PERSON = 3


@dataclass(frozen=True)
class Polygon:
    points: Array  # (N, 3) world, planar, convex
    color: tuple[float, float, float]  # BGR 0..255
    label: Label


@dataclass(frozen=True)
class Tube:
    points: Array  # (N, 3) polyline
    radius: float  # metres
    color: tuple[float, float, float]
    label: Label


@dataclass(frozen=True)
class Sphere:
    center: Array  # (3,)
    radius: float
    color: tuple[float, float, float]
    label: Label


Primitive = Polygon | Tube | Sphere


@dataclass(frozen=True)
class Lighting:
    """Directional light: ``direction`` points from the scene towards the light."""

    direction: Array
    ambient: float = 0.45
    diffuse: float = 0.55


def _shade(color: tuple[float, float, float], factor: float) -> tuple[float, float, float]:
    f = min(max(factor, 0.0), 1.6)
    return (min(color[0] * f, 255.0), min(color[1] * f, 255.0), min(color[2] * f, 255.0))


def _unit_rows(v: Array) -> Array:
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def _shade_factors(prims: list[Primitive], camera: Camera, light: Lighting) -> list[float]:
    """Lambert shading of every primitive, computed for all of them at once."""
    factors = [light.ambient + 0.5 * light.diffuse] * len(prims)
    polys = [i for i, p in enumerate(prims) if isinstance(p, Polygon)]
    if polys:
        pts = np.stack([prims[i].points[:3] for i in polys])  # type: ignore[union-attr]
        normal = _unit_rows(np.cross(pts[:, 1] - pts[:, 0], pts[:, 2] - pts[:, 0]))
        facing = np.sign(np.einsum("ij,ij->i", normal, camera.position - pts[:, 0]))
        lit = np.maximum(0.0, (normal * facing[:, None]) @ light.direction)
        for i, value in zip(polys, light.ambient + light.diffuse * lit, strict=True):
            factors[i] = float(value)
    tubes = [i for i, p in enumerate(prims) if isinstance(p, Tube)]
    if tubes:
        axes = _unit_rows(np.stack([prims[i].points[-1] - prims[i].points[0] for i in tubes]))  # type: ignore[union-attr]
        lateral = np.linalg.norm(np.cross(axes, light.direction), axis=1)
        for i, value in zip(tubes, light.ambient + light.diffuse * lateral, strict=True):
            factors[i] = float(value)
    return factors


def rasterise(
    primitives: list[Primitive],
    camera: Camera,
    image: Array,
    labels: Array,
    light: Lighting,
    affine: Array | None = None,
) -> None:
    """Draw ``primitives`` far to near into ``image`` (BGR uint8) and ``labels`` (uint8).

    ``affine`` (2×3) is applied to the projected pixels: the registration residual of a crop.
    """
    if not primitives:
        return
    chunks = [p.center[None] if isinstance(p, Sphere) else p.points for p in primitives]
    bounds = np.cumsum([0] + [len(c) for c in chunks])
    uv, z = camera.project(np.concatenate(chunks))
    scale = 1.0
    if affine is not None:
        uv = uv @ affine[:, :2].T + affine[:, 2]
        scale = float(np.sqrt(abs(np.linalg.det(affine[:, :2]))))
    fixed = np.round(uv * SCALE).astype(np.int32)
    depth = np.add.reduceat(z, bounds[:-1]) / np.diff(bounds)
    factors = _shade_factors(primitives, camera, light)
    focal = camera.fx * scale
    for k in np.argsort(-depth, kind="stable"):
        prim, lo, hi = primitives[k], bounds[k], bounds[k + 1]
        color = _shade(prim.color, factors[k])
        if isinstance(prim, Polygon):
            poly = fixed[lo:hi]
            cv2.fillConvexPoly(image, poly, color, cv2.LINE_AA, SHIFT)
            cv2.fillConvexPoly(labels, poly, int(prim.label), cv2.LINE_8, SHIFT)
        elif isinstance(prim, Tube):
            for i in range(lo, hi - 1):
                thick = max(1, round(2.0 * prim.radius * focal / (0.5 * (z[i] + z[i + 1]))))
                p0 = (int(fixed[i, 0]), int(fixed[i, 1]))
                p1 = (int(fixed[i + 1, 0]), int(fixed[i + 1, 1]))
                cv2.line(image, p0, p1, color, thick, cv2.LINE_AA, SHIFT)
                cv2.line(labels, p0, p1, int(prim.label), thick, cv2.LINE_8, SHIFT)
        else:
            _draw_sphere(prim, fixed[lo], uv[lo], z[lo], focal, image, labels, light)


def _draw_sphere(
    prim: Sphere,
    centre_fixed: Array,
    centre: Array,
    depth: float,
    focal: float,
    image: Array,
    labels: Array,
    light: Lighting,
) -> None:
    radius = max(1, round(prim.radius * focal / depth))
    c = (int(centre_fixed[0]), int(centre_fixed[1]))
    rad = radius * SCALE
    base = _shade(prim.color, light.ambient + 0.5 * light.diffuse)
    cv2.circle(image, c, rad, base, -1, cv2.LINE_AA, SHIFT)
    cv2.circle(labels, c, rad, int(prim.label), -1, cv2.LINE_8, SHIFT)
    if radius >= 3:  # a highlight on the lit side
        lit = _shade(prim.color, light.ambient + light.diffuse)
        offset = np.array([light.direction[0], -light.direction[1]]) * radius * 0.35
        hl = np.round((centre + offset) * SCALE).astype(int)
        cv2.circle(image, (int(hl[0]), int(hl[1])), int(rad * 0.5), lit, -1, cv2.LINE_AA, SHIFT)
