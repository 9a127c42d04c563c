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


def best_match(image: Array, template: Array) -> Match:
    """``TM_CCOEFF_NORMED`` of ``template`` over ``image`` (float32); flat areas score 0."""
    if image.shape[0] < template.shape[0] or image.shape[1] < template.shape[1]:
        return Match(0.0, 0, 0)
    result = cv2.matchTemplate(image, template, cv2.TM_CCOEFF_NORMED)
    result[~np.isfinite(result)] = 0.0
    _, score, _, (x, y) = cv2.minMaxLoc(result)
    return Match(float(score), int(x), int(y))
