"""Which pixels of the reference's ROI are the carrier: the reference against the background.

The reference is filmed in another light than the live background, so the two are first made
comparable: a per-channel gain and offset fitted outside the ROI, then the slowly varying rest of
the difference (sky turned grey by fog) removed with a wide median. What differs after that is
the carrier, except where both images show the same structure (trees, roofs, a ridge seen through
fog), which a local correlation recognises.
"""

from __future__ import annotations

import cv2
import numpy as np

from service.registration.types import Box

Array = np.ndarray

MIN_THRESHOLD = 25.0  # colour distance
SAME_STRUCTURE = 0.7  # local correlation above which a textured pixel is background
LOCAL = 5  # pixels of the local-correlation window
MIN_TEXTURE = 4.0  # grey variance below which a window has no structure to compare


def _photometric_residual(reference: Array, background: Array, outside: Array) -> Array:
    """``reference`` minus ``background`` mapped channel by channel into the reference's light.

    That way round, the carrier keeps the reference's contrast, which fog would otherwise crush
    below the threshold; the background's noise, amplified, raises the threshold instead.
    """
    residual = np.empty_like(reference)
    for c in range(3):
        ref, bg = reference[..., c], background[..., c]
        design = np.stack([bg[outside], np.ones(int(outside.sum()), np.float32)], axis=1)
        (gain, offset), *_ = np.linalg.lstsq(design, ref[outside], rcond=None)
        residual[..., c] = ref - (bg * gain + offset)
    return residual


def _without_low_frequencies(residual: Array, width: int) -> Array:
    size = max(3, min(21, width // 3) | 1)
    shifted = np.clip(residual + 128.0, 0, 255).astype(np.uint8)
    low = cv2.medianBlur(shifted, size).astype(np.float32) - 128.0
    return residual - low


def _same_structure(a: Array, b: Array) -> Array:
    """Where grey images ``a`` and ``b`` show the same local structure."""
    blur = (LOCAL, LOCAL)
    ma, mb = cv2.blur(a, blur), cv2.blur(b, blur)
    va = cv2.blur(a * a, blur) - ma * ma
    vb = cv2.blur(b * b, blur) - mb * mb
    cov = cv2.blur(a * b, blur) - ma * mb
    ncc = cov / np.sqrt(np.maximum(va, 1e-6) * np.maximum(vb, 1e-6))
    return (ncc > SAME_STRUCTURE) & (vb > MIN_TEXTURE)


def carrier_mask(reference: Array, background: Array, roi: Box) -> Array:
    """uint8 0/1 mask of the carrier, zero outside ``roi``, in pixels of these (small) images."""
    x, y, w, h = roi
    ref = reference.astype(np.float32)
    bg = background.astype(np.float32)
    outside = np.ones(ref.shape[:2], bool)
    outside[y : y + h, x : x + w] = False
    residual = _without_low_frequencies(_photometric_residual(ref, bg, outside), w)
    distance = np.linalg.norm(residual, axis=2)
    threshold = max(MIN_THRESHOLD, 3.0 * 1.4826 * float(np.median(distance[outside])))
    grey = [cv2.cvtColor(im, cv2.COLOR_BGR2GRAY) for im in (ref, bg)]
    mask = (distance > threshold) & ~_same_structure(grey[0], grey[1])
    inside = np.zeros_like(mask, np.uint8)
    inside[y : y + h, x : x + w] = mask[y : y + h, x : x + w]
    return cv2.morphologyEx(inside, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
