"""Telling a good frame from a corrupt one, and bringing good ones to one layout (BGR uint8)."""

from __future__ import annotations

import cv2
import numpy as np

_TO_BGR = {1: cv2.COLOR_GRAY2BGR, 4: cv2.COLOR_BGRA2BGR}


def as_bgr(image: object) -> np.ndarray | None:
    """``image`` as a read-only (H, W, 3) ``uint8`` BGR array, or ``None`` when it is corrupt.

    Good: a non-empty ``uint8`` array, grey (H, W) or (H, W, 1), BGR (H, W, 3) or BGRA
    (H, W, 4). A frame all of one value is good (a night sky, a lens cap): that is for the
    stages after capture to judge.
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.size == 0:
        return None
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3 or image.shape[2] not in (1, 3, 4):
        return None
    if image.shape[2] != 3:
        image = cv2.cvtColor(image, _TO_BGR[image.shape[2]])
    image.flags.writeable = False
    return image
