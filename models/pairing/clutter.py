"""GetNet's "distorted MNIST" (section IV.A): a 28×28 digit put at a random place on a 60×60
background of random noise (Fig. 4).

The paper shows the background but gives no numbers; here every background pixel is uniform
noise in ``[0, noise]`` (intensities on 0..1, digit strokes 1), the digit lies wholly inside the
canvas at a uniformly drawn top-left corner and is composited with ``max`` (strokes stay
white, the noise shows between them). Everything is drawn from one seeded generator, so the
same seed gives the same canvases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CANVAS = 60
NOISE = 0.5


@dataclass(frozen=True)
class Cluttered:
    """``images`` (N, S, S) float32 on 0..1 and each digit's top-left ``corners`` (N, 2) (row,
    column)."""

    images: np.ndarray
    corners: np.ndarray


def clutter(
    digits: np.ndarray, rng: np.random.Generator, canvas: int = CANVAS, noise: float = NOISE
) -> Cluttered:
    """Place each (28, 28) uint8 digit of ``digits`` (N, 28, 28) on its own noisy canvas."""
    if digits.ndim != 3:
        raise ValueError(f"digits must be (N, h, w), got {digits.shape}")
    n, h, w = digits.shape
    if canvas < max(h, w):
        raise ValueError(f"canvas {canvas} is smaller than the digits ({h}×{w})")
    if not 0 <= noise <= 1:
        raise ValueError(f"noise must be in [0, 1], got {noise}")
    images = rng.uniform(0.0, noise, (n, canvas, canvas)).astype(np.float32)
    rows = rng.integers(0, canvas - h + 1, n)
    cols = rng.integers(0, canvas - w + 1, n)
    strokes = digits.astype(np.float32) / 255.0
    for i in range(n):
        window = images[i, rows[i] : rows[i] + h, cols[i] : cols[i] + w]
        np.maximum(window, strokes[i], out=window)
    return Cluttered(images, np.stack([rows, cols], axis=1))
