"""Fine alignment: a similarity warp by robust inverse-compositional Lucas-Kanade.

The template is the reference's carrier (grey, its mask); the image the frame around where the
coarse search put the carrier. The warp is a similarity (scale, rotation, translation), the
motion of a carrier near its departure point; a gain and an offset absorb the difference in
light between the reference and the frame, and robust weights (Huber while far, then Tukey's
biweight) leave out the passengers, the bar and the background showing through the carrier, which
do not move with it as in the reference. The template's gradients and the Jacobian are computed
once.

ECC (``cv2.findTransformECC``, kept as the registrar's other ``method``) solves the same problem
without a similarity motion or robust weights: on carriers moved by known similarities, its affine
warps shear on the thin carrier masks (up to 47 px off at the ROI's corners, against 3.6 px here)
and its Euclidean ones cannot follow the scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Array = np.ndarray

ITERATIONS = 25
STEP_DONE = 0.02  # pixels: the largest displacement of the last update
HUBER, TUKEY = 1.345, 4.685  # in robust standard deviations of the residual
HUBER_ITERATIONS = 3  # then Tukey's biweight, which drops what the reference has not
SMOOTH = 1.0  # sigma of the Gaussian applied to template and image


@dataclass(frozen=True)
class Alignment:
    warp: Array  # 3×3, template pixels -> image pixels
    correlation: float  # weighted, of the warped image with the template over the mask
    iterations: int


def _smooth(image: Array) -> Array:
    return cv2.GaussianBlur(image.astype(np.float32), (0, 0), SMOOTH)


class SimilarityAligner:
    """Aligns images to one masked grey template (float32)."""

    def __init__(self, template: Array, mask: Array) -> None:
        self.shape = template.shape[:2]
        smooth = _smooth(template)
        gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3, scale=0.125)
        gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3, scale=0.125)
        self.rows, self.cols = np.nonzero(mask)
        h, w = self.shape
        self.centre = ((w - 1) / 2.0, (h - 1) / 2.0)
        x = self.cols - self.centre[0]
        y = self.rows - self.centre[1]
        gxs, gys = gx[self.rows, self.cols], gy[self.rows, self.cols]
        # d(warped point)/d(a, b, tx, ty) for [[1 + a, -b, tx], [b, 1 + a, ty]] about the centre
        self.steepest = np.stack([gxs * x + gys * y, -gxs * y + gys * x, gxs, gys], axis=1)
        self.values = smooth[self.rows, self.cols].astype(np.float64)
        self.radius = float(np.sqrt(np.max(x * x + y * y))) if len(x) else 0.0

    @property
    def usable(self) -> bool:
        return len(self.values) >= 30

    def _update(self, delta: Array) -> Array:
        """The 3×3 update warp (template pixels) of the centred similarity ``delta``."""
        a, b, tx, ty = delta
        cx, cy = self.centre
        centred = np.array([[1 + a, -b, tx], [b, 1 + a, ty], [0.0, 0.0, 1.0]])
        shift = np.array([[1.0, 0.0, cx], [0.0, 1.0, cy], [0.0, 0.0, 1.0]])
        return shift @ centred @ np.linalg.inv(shift)

    def align(self, image: Array, start: Array) -> Alignment | None:
        """The warp (3×3, template -> ``image`` pixels) from ``start``; None if it diverges."""
        smooth = _smooth(image)
        warp = start.copy()
        h, w = self.shape
        template = self.values
        weights = np.ones_like(template)
        correlation, done = 0.0, 0
        for done in range(1, ITERATIONS + 1):
            warped = cv2.warpAffine(
                smooth,
                warp[:2],
                (w, h),
                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_REPLICATE,
            )[self.rows, self.cols].astype(np.float64)
            gain, offset, correlation = _photometric(template, warped, weights)
            if gain <= 1e-6:
                return None
            error = (warped - offset) / gain - template
            scale = 1.4826 * float(np.median(np.abs(error))) + 1e-6
            weights = _robust_weights(error, scale, tukey=done > HUBER_ITERATIONS)
            weighted = self.steepest * weights[:, None]
            hessian = weighted.T @ self.steepest
            try:
                delta = np.linalg.solve(hessian, weighted.T @ error)
            except np.linalg.LinAlgError:
                return None
            warp = warp @ np.linalg.inv(self._update(delta))
            step = np.hypot(delta[2], delta[3]) + self.radius * np.hypot(delta[0], delta[1])
            if not np.all(np.isfinite(warp)):
                return None
            if step < STEP_DONE:
                break
        return Alignment(warp, correlation, done)


def _robust_weights(error: Array, scale: float, tukey: bool) -> Array:
    if tukey:
        u = error / (TUKEY * scale)
        return np.where(np.abs(u) < 1.0, (1.0 - u * u) ** 2, 0.0)
    return np.minimum(1.0, HUBER * scale / np.maximum(np.abs(error), 1e-12))


def _photometric(template: Array, warped: Array, weights: Array) -> tuple[float, float, float]:
    """Gain and offset with ``warped ≈ gain * template + offset``, and their correlation."""
    total = float(weights.sum())
    mt = float(weights @ template) / total
    mw = float(weights @ warped) / total
    dt, dw = template - mt, warped - mw
    var_t = float(weights @ (dt * dt))
    cov = float(weights @ (dt * dw))
    var_w = float(weights @ (dw * dw))
    gain = cov / max(var_t, 1e-9)
    correlation = cov / max(np.sqrt(var_t * var_w), 1e-9)
    return gain, mw - gain * mt, correlation
