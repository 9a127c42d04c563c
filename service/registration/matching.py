"""Coarse search: where in the search area the carrier's shape best matches the foreground."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Match:
    score: float  # normalised cross-correlation, -1..1
    x: int  # top-left corner of the template in the searched image
    y: int


def match_map(image: Array, template: Array, mask: Array | None = None) -> Array | None:
    """``TM_CCOEFF_NORMED`` of ``template`` over ``image`` (float32), flat areas 0; None when
    the image is smaller than the template. With ``mask`` (the template's size, non-zero where
    it counts), only those pixels of the template and of each window are compared."""
    if image.shape[0] < template.shape[0] or image.shape[1] < template.shape[1]:
        return None
    if mask is None:
        result = cv2.matchTemplate(image, template, cv2.TM_CCOEFF_NORMED)
    else:
        result = cv2.matchTemplate(image, template, cv2.TM_CCOEFF_NORMED, mask=mask)
    result[~np.isfinite(result)] = 0.0
    return result


Point = tuple[float, float]


def _window(shape: tuple[int, ...], at: Point, radius: float) -> tuple[slice, slice] | None:
    """Rows and columns of ``shape`` within ``radius`` of ``at`` (x, y); None if none."""
    h, w = shape[:2]
    x0, x1 = max(0, round(at[0] - radius)), min(w, round(at[0] + radius) + 1)
    y0, y1 = max(0, round(at[1] - radius)), min(h, round(at[1] + radius) + 1)
    return None if x0 >= x1 or y0 >= y1 else (slice(y0, y1), slice(x0, x1))


def peak(
    result: Array | None,
    near: Point | None = None,
    radius: float = 0.0,
    avoid: Point | None = None,
) -> Match:
    """The best position of a ``match_map``: within ``radius`` of ``near`` (x, y) when given
    (score -1 when that window falls outside the map), or outside ``radius`` of ``avoid``."""
    if result is None:
        return Match(0.0, 0, 0)
    x0 = y0 = 0
    if near is not None:
        rows = _window(result.shape, near, radius)
        if rows is None:
            return Match(-1.0, 0, 0)
        result = result[rows]
        y0, x0 = rows[0].start, rows[1].start
    elif avoid is not None and (rows := _window(result.shape, avoid, radius)) is not None:
        result = result.copy()
        result[rows] = -1.0
    _, score, _, (x, y) = cv2.minMaxLoc(result)
    return Match(float(score), int(x) + x0, int(y) + y0)


def best_match(image: Array, template: Array) -> Match:
    """The best ``TM_CCOEFF_NORMED`` position of ``template`` over ``image``."""
    return peak(match_map(image, template))
