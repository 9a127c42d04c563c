"""Weather, light and camera defects: sampled per image, applied after rasterising.

``difficulty`` scales every degradation at once (0: clean renders, 1: a bad day at the
station, above: worse; the calibrated default is ``samples.DEFAULT_DIFFICULTY``); see
docs/SYNTHETIC.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from models.synthetic.lift import LIGHTS, LiftSpec
from models.synthetic.primitives import Lighting

Array = np.ndarray
FOG_COLOR = np.array([205.0, 205.0, 200.0], dtype=np.float32)


@dataclass(frozen=True)
class Conditions:
    light: str
    exposure: float
    fog: float  # 0..1 blend towards fog for the carrier; the background gets more
    snowflakes: int
    glare: float  # 0 none .. 1 blinding
    glare_xy: tuple[float, float]  # relative position of the glare centre
    noise_sigma: float  # grey levels
    jpeg_quality: int  # 100: no artefacts
    blur_length: float  # pixels of motion blur
    blur_angle: float  # radians


def sample_conditions(lift: LiftSpec, rng: np.random.Generator, difficulty: float) -> Conditions:
    d = max(0.0, difficulty)
    light = str(rng.choice(LIGHTS, p=np.asarray(lift.light_probs)))
    fog = {"fog": rng.uniform(0.25, 0.55), "snow": rng.uniform(0.05, 0.2)}.get(light, 0.0)
    flakes = int(rng.uniform(80, 500) * d) if light == "snow" else 0
    glare = float(rng.uniform(0.3, 0.9)) if rng.random() < lift.glare_rate * d else 0.0
    sigma = (1.5 + 7.0 * lift.noise_level + (6.0 if light == "dusk" else 0.0)) * d
    quality = int(np.clip(95 - (20 + 45 * lift.noise_level) * d * rng.uniform(0.5, 1.2), 15, 100))
    blur = float(rng.uniform(1.0, 7.0) * d) if rng.random() < 0.4 else 0.0
    return Conditions(
        light=light,
        exposure=float(rng.uniform(0.8, 1.2)),
        fog=float(min(0.8, fog * d)),
        snowflakes=flakes,
        glare=glare,
        glare_xy=(float(rng.uniform(0, 1)), float(rng.uniform(0, 0.6))),
        noise_sigma=float(sigma),
        jpeg_quality=quality,
        blur_length=blur,
        blur_angle=float(rng.uniform(-0.4, 0.4)),
    )


def lighting_for(lift: LiftSpec, light: str) -> Lighting:
    if light == "sun":
        return Lighting(lift.sun_direction, ambient=0.45, diffuse=0.7)
    if light == "dusk":
        return Lighting(lift.sun_direction, ambient=0.55, diffuse=0.3)
    return Lighting(np.array([0.0, 1.0, 0.0]), ambient=0.8, diffuse=0.25)


@lru_cache(maxsize=1)
def _noise_bank() -> Array:
    """Unit Gaussian noise, made once: a random window of it is ~100× cheaper than new draws."""
    return np.random.default_rng(20200).standard_normal((768, 768, 3), dtype=np.float32)


def _gaussian_noise(shape: tuple[int, ...], rng: np.random.Generator) -> Array:
    bank = _noise_bank()
    h, w = shape[:2]
    if h > bank.shape[0] or w > bank.shape[1]:
        return rng.standard_normal(shape, dtype=np.float32)
    y = int(rng.integers(0, bank.shape[0] - h + 1))
    x = int(rng.integers(0, bank.shape[1] - w + 1))
    window = bank[y : y + h, x : x + w]
    return window[::-1] if rng.random() < 0.5 else window


def _motion_kernel(length: float, angle: float) -> Array:
    size = max(3, int(np.ceil(length)) | 1)
    kernel = np.zeros((size, size), np.float32)
    c = size // 2
    dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
    cv2.line(kernel, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1)
    return kernel / kernel.sum()


def apply_conditions(
    image: Array, labels: Array, cond: Conditions, rng: np.random.Generator
) -> Array:
    """Degrade a rendered BGR uint8 image; ``labels`` tells carrier pixels from background."""
    img = image.astype(np.float32) * cond.exposure
    if cond.light == "dusk":
        img = img * np.array([0.55, 0.55, 0.7], dtype=np.float32)
    if cond.fog > 0:
        k = np.where(labels > 0, cond.fog, min(1.0, cond.fog * 1.6)).astype(np.float32)
        img = img * (1 - k[..., None]) + FOG_COLOR * k[..., None]
    h, w = labels.shape
    if cond.glare > 0:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        gx, gy = cond.glare_xy[0] * w, cond.glare_xy[1] * h
        r2 = ((xx - gx) ** 2 + (yy - gy) ** 2) / (0.35 * max(h, w)) ** 2
        img = img + 255.0 * cond.glare * np.exp(-r2)[..., None]
    if cond.blur_length >= 1.5:
        kernel = _motion_kernel(cond.blur_length, cond.blur_angle)
        img = np.asarray(cv2.filter2D(img, -1, kernel), dtype=np.float32)
    if cond.snowflakes:
        scale = w / 200.0
        pts = rng.uniform([0, 0], [w, h], size=(cond.snowflakes, 2)).astype(np.int32)
        sizes = rng.integers(1, 3, size=cond.snowflakes)
        for (x, y), s in zip(pts, sizes, strict=True):
            r = max(1, int(s * scale))
            cv2.line(img, (int(x), int(y)), (int(x), int(y) + r), (250, 250, 250), r)
    if cond.noise_sigma > 0:
        img += _gaussian_noise(img.shape, rng) * np.float32(cond.noise_sigma)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if cond.jpeg_quality < 100:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, cond.jpeg_quality])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out
