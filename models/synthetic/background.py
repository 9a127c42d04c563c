"""The scenery behind the carriers: sky, mountains, forest, pylons, station, snow, haul rope.

Drawn once per lift and light in the station camera's full frame, then reused: the crop of a
registered image is a warp of that frame, as it is for a real camera.
"""

from __future__ import annotations

import cv2
import numpy as np

from models.synthetic.lift import LIGHTS, LiftSpec

Array = np.ndarray

SKY = {  # (top, horizon) BGR
    "sun": ((200, 130, 60), (235, 205, 170)),
    "overcast": ((175, 170, 165), (210, 208, 205)),
    "fog": ((200, 200, 198), (215, 215, 213)),
    "snow": ((165, 162, 160), (195, 195, 195)),
    "dusk": ((110, 60, 50), (90, 140, 225)),
}


def _horizon(lift: LiftSpec) -> tuple[float, float]:
    """Horizon line as (y at x=0, slope) in the full frame."""
    cam = lift.camera
    forward = cam.view_direction.copy()
    forward[1] = 0.0
    forward /= np.linalg.norm(forward) + 1e-9
    right = np.cross(forward, [0.0, 1.0, 0.0])
    far = np.stack(
        [
            cam.position + 1000 * (forward + 0.3 * right),
            cam.position + 1000 * (forward - 0.3 * right),
        ]
    )
    uv, _ = cam.project(far)
    slope = (uv[1, 1] - uv[0, 1]) / (uv[1, 0] - uv[0, 0] + 1e-9)
    return float(uv[0, 1] - slope * uv[0, 0]), float(slope)


def _ridge(rng: np.random.Generator, width: int, base: Array, height: float) -> Array:
    """A mountain ridge by midpoint displacement: (width,) y values."""
    n = 65
    y = np.zeros(n)
    step, amp = n - 1, height
    y[0], y[-1] = rng.uniform(0, height), rng.uniform(0, height)
    while step > 1:
        for i in range(step // 2, n - 1, step):
            y[i] = 0.5 * (y[i - step // 2] + y[i + step // 2]) + rng.uniform(-amp, amp) * 0.5
        step //= 2
        amp *= 0.55
    xs = np.linspace(0, width - 1, n)
    return base - np.interp(np.arange(width), xs, np.abs(y))


def _draw_tree(img: Array, x: float, y: float, h: float, color: tuple) -> None:
    w = h * 0.35
    trunk = (40, 50, 60)
    cv2.line(img, (int(x), int(y)), (int(x), int(y - h * 0.2)), trunk, max(1, int(w * 0.15)))
    for k in range(3):
        top = y - h * (0.45 + 0.28 * k)
        base = y - h * (0.1 + 0.27 * k)
        ww = w * (1.0 - 0.25 * k)
        pts = np.array([[x - ww, base], [x + ww, base], [x, top]], dtype=np.int32)
        cv2.fillConvexPoly(img, pts, color, cv2.LINE_AA)


def render_background(lift: LiftSpec, light: str) -> Array:
    """The full-frame background (BGR uint8) of ``lift`` under ``light``."""
    if light not in LIGHTS:
        raise ValueError(f"unknown light {light!r}, expected one of {LIGHTS}")
    cam = lift.camera
    W, H = cam.width, cam.height
    rng = np.random.default_rng(lift.scenery_seed)
    y0, slope = _horizon(lift)
    xs = np.arange(W)
    horizon = np.clip(y0 + slope * xs, -H, 2 * H)
    top, bottom = (np.array(c, dtype=np.float32) for c in SKY[light])
    t = np.clip(np.arange(H, dtype=np.float32)[:, None] / max(1.0, float(horizon.mean())), 0, 1)
    img = (top * (1 - t[..., None]) + bottom * t[..., None]).repeat(W, 1).astype(np.uint8)
    for layer in range(int(rng.integers(1, 4))):  # mountains, far to near
        ridge = _ridge(rng, W, horizon + 5, float(rng.uniform(30, 110)) * (1 + 0.3 * layer))
        shade = 175 - 35 * layer + float(rng.uniform(-15, 15))
        color = (shade + 25, shade + 10, shade)
        poly = np.concatenate([np.stack([xs, ridge], 1), [[W - 1, H], [0, H]]]).astype(np.int32)
        cv2.fillPoly(img, [poly], color, cv2.LINE_AA)
        snowline = np.stack([xs, ridge + rng.uniform(8, 25)], 1)[::-1]
        cap = np.concatenate([np.stack([xs, ridge], 1), snowline]).astype(np.int32)
        cv2.fillPoly(img, [cap], (245, 240, 235), cv2.LINE_AA)
    ground = np.concatenate([np.stack([xs, horizon + 6], 1), [[W - 1, H], [0, H]]])
    cv2.fillPoly(img, [ground.astype(np.int32)], (238, 232, 228), cv2.LINE_AA)
    forest = tuple(float(v) for v in rng.uniform([20, 45, 15], [55, 95, 45]))
    for _ in range(int(rng.integers(15, 70))):
        x = float(rng.uniform(0, W))
        base = float(np.clip(y0 + slope * x, 0, H)) + float(rng.uniform(-5, 60))
        _draw_tree(img, x, base, float(rng.uniform(15, 55)) * (1 + (base - y0) / H), forest)
    for _ in range(int(rng.integers(0, 3))):  # pylons
        x = float(rng.uniform(0, W))
        y = float(np.clip(y0 + slope * x, 0, H)) + float(rng.uniform(20, 80))
        h = float(rng.uniform(90, 200))
        cv2.line(img, (int(x), int(y)), (int(x), int(y - h)), (95, 95, 100), 5, cv2.LINE_AA)
        cv2.line(img, (int(x - 25), int(y - h)), (int(x + 25), int(y - h)), (80, 80, 85), 4)
    if rng.random() < 0.6:  # the station building
        bx = float(rng.choice([rng.uniform(-60, 100), rng.uniform(W - 200, W)]))
        by = float(np.clip(y0 + slope * bx, 0, H)) + float(rng.uniform(30, 90))
        bw, bh = float(rng.uniform(120, 220)), float(rng.uniform(60, 120))
        wall = tuple(float(v) for v in rng.uniform([90, 110, 140], [200, 210, 230]))
        cv2.rectangle(img, (int(bx), int(by - bh)), (int(bx + bw), int(by)), wall, -1)
        roof = np.array([[bx - 10, by - bh], [bx + bw + 10, by - bh], [bx + bw / 2, by - bh - 40]])
        cv2.fillConvexPoly(img, roof.astype(np.int32), (60, 60, 110), cv2.LINE_AA)
        for k in range(int(bw // 40)):
            wx = int(bx + 15 + 40 * k)
            cv2.rectangle(
                img, (wx, int(by - bh + 20)), (wx + 18, int(by - bh + 45)), (70, 60, 50), -1
            )
    rope = lift.grip() + np.linspace(-60, 60, 241)[:, None] * lift.cable_direction
    in_front = cam.to_camera(rope)[:, 2] > 0.5
    uv, _ = cam.project(rope[in_front])
    cv2.polylines(img, [np.round(uv).astype(np.int32)], False, (45, 45, 50), 2, cv2.LINE_AA)
    return img
