"""The heatmap formulas: Dist-CAM (Shen et al. 2021, eqs. 4-6), CAM (Zhou et al. 2016, eq. 3).

Feature maps are (K, h, w) float arrays: K channels of the last convolutional map.

Dist-CAM, for a query Q and a support S (here: the predicted mask, the nearer of the lift's two)::

    D_k = |GAP(S_k) − GAP(Q_k)|                 (eq. 4, the element-wise 1-norm)
    W   = norm(1 / D)                           (eq. 5)
    M   = Σ_k W_k Q_k                           (eq. 6)

The paper leaves ``norm`` as "element-wise normalisation"; we divide by the sum (the weights sum
to 1; the channel closest to the support gets the largest weight). A channel where S and Q agree
exactly would make 1/D infinite: ``eps`` (default 1e-6) is added to D. The map is then passed
through ReLU (as CAM-style maps are displayed: only evidence *for* the class), upsampled
bilinearly to the image and min-max normalised to [0, 1] (``to_heatmap``).

CAM: ``M_c = Σ_k w_ck Q_k`` with the linear head's weights of class c (the bias shifts every
pixel alike and vanishes in the min-max normalisation).
"""

from __future__ import annotations

import cv2
import numpy as np

EPS = 1e-6


def _check_maps(feats: np.ndarray, what: str) -> np.ndarray:
    x = np.asarray(feats, dtype=np.float64)
    if x.ndim != 3 or 0 in x.shape:
        raise ValueError(f"{what} must be a (K, h, w) feature map, got shape {x.shape}")
    return x


def gap(feats: np.ndarray) -> np.ndarray:
    """Global average pooling of a (K, h, w) map → (K,)."""
    return np.asarray(_check_maps(feats, "feature map").mean(axis=(1, 2)))


def distcam_weights(support: np.ndarray, query: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Eqs. 4-5: ``W = (1 / (D + eps)) / Σ (1 / (D + eps))`` with ``D = |GAP(S) − GAP(Q)|``.

    ``support`` may be a (K, h, w) map or its (K,) GAP vector (a prototype, eq. 7).
    """
    q = gap(query)
    s = np.asarray(support, dtype=np.float64)
    s = gap(s) if s.ndim == 3 else s
    if s.shape != q.shape:
        raise ValueError(f"support has {s.shape[0] if s.ndim else 0} channels, query {q.shape[0]}")
    if eps <= 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    inverse = 1.0 / (np.abs(s - q) + eps)
    return np.asarray(inverse / inverse.sum())


def weighted_map(query: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Eq. 6 / CAM eq. 3 followed by ReLU: ``max(0, Σ_k w_k Q_k)`` → (h, w)."""
    q = _check_maps(query, "query feature map")
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (q.shape[0],):
        raise ValueError(f"need {q.shape[0]} channel weights, got shape {w.shape}")
    return np.asarray(np.maximum(np.tensordot(w, q, axes=1), 0.0))


def distcam_map(support: np.ndarray, query: np.ndarray, eps: float = EPS) -> np.ndarray:
    """The raw (h, w) Dist-CAM of ``query`` against ``support`` (before upsampling)."""
    return weighted_map(query, distcam_weights(support, query, eps))


def cam_map(query: np.ndarray, fc_weight: np.ndarray, class_index: int) -> np.ndarray:
    """The raw (h, w) CAM of class ``class_index``; ``fc_weight`` is the (C, K) linear head."""
    w = np.asarray(fc_weight, dtype=np.float64)
    if w.ndim != 2 or not 0 <= class_index < w.shape[0]:
        raise ValueError(f"class {class_index} is not a row of a {w.shape} linear head")
    return weighted_map(query, w[class_index])


def to_heatmap(raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Upsample an (h, w) map bilinearly to ``size`` = (H, W), min-max normalise to [0, 1].

    A constant map (no evidence anywhere) becomes all zeros.
    """
    m = np.asarray(raw, dtype=np.float32)
    if m.ndim != 2 or 0 in m.shape:
        raise ValueError(f"a raw map must be (h, w), got shape {m.shape}")
    height, width = size
    up = cv2.resize(m, (width, height), interpolation=cv2.INTER_LINEAR)
    lo, hi = float(up.min()), float(up.max())
    if hi - lo <= 1e-12:
        return np.zeros((height, width), np.float32)
    return np.asarray((up - lo) / (hi - lo), dtype=np.float32)


def random_heatmap(
    rng: np.random.Generator, grid: tuple[int, int], size: tuple[int, int]
) -> np.ndarray:
    """The baseline: uniform noise on a ``grid`` (the feature map's h, w), upsampled alike."""
    return to_heatmap(rng.random(grid), size)
