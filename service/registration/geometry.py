"""Boxes and 3×3 pixel maps between the full frame, its downscaled copies and the crop.

Downscaling by ``factor`` keeps pixel centres aligned: full pixel ``x`` sits at
``(x + 0.5) / factor - 0.5`` in the small image, which is what ``cv2.resize`` with ``INTER_AREA``
does for an exact integer factor. The crop map follows ``models.synthetic.scene.crop_background``:
the ROI's corner goes to the crop's corner, its size to the crop's size.
"""

from __future__ import annotations

import numpy as np

from service.registration.types import Box

Array = np.ndarray

SCALE_RANGE = (0.8, 1.25)
MAX_ANISOTROPY = 1.15  # ratio of the warped axes' lengths
MAX_SHEAR = 0.12  # |cos| of the angle between the warped axes
MAX_DRIFT = 0.12  # of the template's size: how far the template's centre may move from the start


def translation(tx: float, ty: float) -> Array:
    return np.array([[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]])


def to_small(factor: int, origin: tuple[int, int] = (0, 0)) -> Array:
    """Full-frame pixels -> pixels of the region at ``origin`` downscaled by ``factor``."""
    s = 1.0 / factor
    return np.array(
        [
            [s, 0.0, (0.5 - origin[0]) * s - 0.5],
            [0.0, s, (0.5 - origin[1]) * s - 0.5],
            [0.0, 0.0, 1.0],
        ]
    )


def roi_to_crop(roi: Box, crop: int) -> Array:
    """Reference-frame pixels -> registered-crop pixels: the ROI fills the crop."""
    x, y, w, h = roi
    return np.array([[crop / w, 0.0, -x * crop / w], [0.0, crop / h, -y * crop / h], [0, 0, 1.0]])


def homogeneous(affine: Array) -> Array:
    return np.vstack([affine[:2], [0.0, 0.0, 1.0]])


def clip_box(box: Box, width: int, height: int) -> Box:
    x0, y0 = max(0, box[0]), max(0, box[1])
    x1, y1 = min(width, box[0] + box[2]), min(height, box[1] + box[3])
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


def union(a: Box, b: Box) -> Box:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return x0, y0, x1 - x0, y1 - y0


def grow(box: Box, margin: float) -> Box:
    """``box`` grown by ``margin`` times its size on every side."""
    dx, dy = round(box[2] * margin), round(box[3] * margin)
    return box[0] - dx, box[1] - dy, box[2] + 2 * dx, box[3] + 2 * dy


def align(box: Box, factor: int) -> Box:
    """The smallest box around ``box`` whose corners are multiples of ``factor``."""
    x0, y0 = box[0] // factor * factor, box[1] // factor * factor
    x1 = -(-(box[0] + box[2]) // factor) * factor
    y1 = -(-(box[1] + box[3]) // factor) * factor
    return x0, y0, x1 - x0, y1 - y0


def snap(box: Box, factor: int, width: int, height: int) -> Box:
    """``box`` aligned to ``factor``, clipped to the frame, its size a multiple of ``factor``."""
    x, y, w, h = clip_box(align(box, factor), width, height)
    return x, y, w // factor * factor, h // factor * factor


def apply(matrix: Array, point: tuple[float, float]) -> tuple[float, float]:
    x, y, _ = matrix @ np.array([point[0], point[1], 1.0])
    return float(x), float(y)


def plausible(warp: Array, start: Array, size: tuple[int, int]) -> bool:
    """Whether ``warp`` (3×3 or 2×3, template of ``size`` -> image) is a carrier's motion.

    A carrier near its departure point moves by little more than a translation from ``start``:
    a scale near 1, no mirror, little shear or stretch, its centre near where it started.
    """
    warp, start = warp[:2], start[:2]
    linear = warp[:, :2]
    if np.linalg.det(linear) <= 0:
        return False
    scales = np.linalg.norm(linear, axis=0)
    if not (SCALE_RANGE[0] <= scales.min() and scales.max() <= SCALE_RANGE[1]):
        return False
    shear = abs(float(linear[:, 0] @ linear[:, 1])) / float(scales[0] * scales[1])
    centre = np.array([size[1] / 2.0, size[0] / 2.0, 1.0])
    drift = float(np.linalg.norm(warp @ centre - start @ centre))
    return (
        scales.max() / scales.min() <= MAX_ANISOTROPY
        and shear <= MAX_SHEAR
        and drift <= MAX_DRIFT * max(size)
    )
