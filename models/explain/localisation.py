"""How well a heatmap localises a part: the pointing game and the IoU of the thresholded map.

* Pointing game (Zhang et al., "Top-down neural attention by excitation backprop", 2016): a hit
  when the heatmap's maximum lies on the part or within ``tolerance`` pixels of it (their
  tolerance is 15 px; ``POINTING_TOLERANCE``). Where several pixels share the maximum, the
  first in row-major order counts.
* IoU: the heatmap (normalised to [0, 1]) is thresholded at ``threshold`` × its maximum
  (``IOU_THRESHOLD`` 0.5: the pixels at least half as hot as the hottest) and compared with the
  part's pixels: |A ∩ B| / |A ∪ B|.

* Box localisation, the paper's (Dist-CAM, Table 1) and CAM's (Zhou et al. 2016) protocol: the
  heatmap is thresholded at ``BOX_THRESHOLD`` (20 %) of its maximum, the bounding box of the
  largest connected region is compared with the part's bounding box, and the localisation is
  correct when their IoU is at least ``BOX_IOU_OK`` (0.5). With the class it explains right
  too, that is the paper's top-1 localisation (its error is 1 − that rate).

An image where the part is not visible at all cannot be scored (``ValueError``): callers skip
and count such images.
"""

from __future__ import annotations

import cv2
import numpy as np

POINTING_TOLERANCE = 15
IOU_THRESHOLD = 0.5
BOX_THRESHOLD = 0.2
BOX_IOU_OK = 0.5
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (inclusive)


def _check(heatmap: np.ndarray, part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h = np.asarray(heatmap, dtype=np.float32)
    p = np.asarray(part).astype(bool)
    if h.ndim != 2 or h.shape != p.shape:
        raise ValueError(f"heatmap {h.shape} and part mask {p.shape} must be the same 2-D shape")
    if not p.any():
        raise ValueError("the part is not visible in this image (no pixel of it)")
    return h, p


def distance_to_part(part: np.ndarray) -> np.ndarray:
    """Euclidean distance (px) of every pixel to the nearest pixel of ``part`` (0 on it)."""
    outside = (~np.asarray(part).astype(bool)).astype(np.uint8)
    return np.asarray(cv2.distanceTransform(outside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE))


def pointing_hit(
    heatmap: np.ndarray, part: np.ndarray, tolerance: float = POINTING_TOLERANCE
) -> bool:
    """Whether the heatmap's maximum lies within ``tolerance`` px of the part."""
    h, p = _check(heatmap, part)
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    row, col = np.unravel_index(int(np.argmax(h)), h.shape)
    return bool(distance_to_part(p)[row, col] <= tolerance)


def threshold_iou(heatmap: np.ndarray, part: np.ndarray, threshold: float = IOU_THRESHOLD) -> float:
    """IoU of ``heatmap >= threshold · max(heatmap)`` with the part (0 for an all-zero map)."""
    h, p = _check(heatmap, part)
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    peak = float(h.max())
    if peak <= 0:
        return 0.0
    region = h >= threshold * peak
    union = int(np.logical_or(region, p).sum())
    return float(np.logical_and(region, p).sum()) / union


def bounding_box(mask: np.ndarray) -> Box:
    """The inclusive box (x0, y0, x1, y1) of a non-empty boolean mask."""
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        raise ValueError("an empty mask has no bounding box")
    return int(cols.min()), int(rows.min()), int(cols.max()), int(rows.max())


def box_iou_of(a: Box, b: Box) -> float:
    """IoU of two inclusive pixel boxes."""
    ix = min(a[2], b[2]) - max(a[0], b[0]) + 1
    iy = min(a[3], b[3]) - max(a[1], b[1]) + 1
    inter = max(ix, 0) * max(iy, 0)
    area = (a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return inter / (area - inter)


def heatmap_box(heatmap: np.ndarray, threshold: float = BOX_THRESHOLD) -> Box | None:
    """The box of the largest connected region of ``heatmap >= threshold · max`` (None if 0)."""
    h = np.asarray(heatmap, dtype=np.float32)
    peak = float(h.max()) if h.size else 0.0
    if peak <= 0:
        return None
    region = (h >= threshold * peak).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(region, connectivity=8)
    largest = 1 + int(np.argmax(stats[1:count, cv2.CC_STAT_AREA]))
    x, y, w, h_ = (int(v) for v in stats[largest, :4])
    return x, y, x + w - 1, y + h_ - 1


def box_iou(heatmap: np.ndarray, part: np.ndarray, threshold: float = BOX_THRESHOLD) -> float:
    """IoU of the heatmap's box (``heatmap_box``) with the part's bounding box (0 if no box)."""
    h, p = _check(heatmap, part)
    box = heatmap_box(h, threshold)
    return 0.0 if box is None else box_iou_of(box, bounding_box(p))
