"""A heatmap drawn over its image (JET colours, red = hot), for people to look at."""

from __future__ import annotations

import cv2
import numpy as np

ALPHA = 0.45


def overlay(image_bgr: np.ndarray, heatmap: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """``image_bgr`` (H, W, 3 uint8) blended with the [0, 1] ``heatmap`` resized to it."""
    image = np.asarray(image_bgr)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"the image must be BGR uint8 (H, W, 3), got {image.dtype} {image.shape}")
    h = np.asarray(heatmap, dtype=np.float32)
    if h.ndim != 2:
        raise ValueError(f"the heatmap must be (H, W), got {h.shape}")
    if h.shape != image.shape[:2]:
        size = (image.shape[1], image.shape[0])
        h = np.asarray(cv2.resize(h, size, interpolation=cv2.INTER_LINEAR), dtype=np.float32)
    levels = (np.clip(h, 0, 1) * 255).astype(np.uint8)
    colours = cv2.applyColorMap(levels, cv2.COLORMAP_JET)
    return cv2.addWeighted(colours, alpha, image, 1 - alpha, 0.0)
