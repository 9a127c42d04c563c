"""How well GetNet's window finds the digit: the distance, in canvas pixels, from the centre of
the STN's window to the centre of the 28×28 box the digit was pasted in, beside the same
distance for the canvas's centre (where a still, identity STN looks)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from models.pairing.data import PairSet
from models.pairing.nets import PairingNet

DIGIT_SIDE = 28


def window_centres(params: np.ndarray, side: int) -> np.ndarray:
    """(N, 2) (row, column) pixel coordinates of the windows' centres, from (N, 3) (s, tx, ty)
    in ``grid_sample``'s normalised coordinates (``align_corners=False``)."""
    return (params[:, [2, 1]] + 1) * side / 2 - 0.5


def digit_centres(corners: np.ndarray, digit_side: int = DIGIT_SIDE) -> np.ndarray:
    """(N, 2) (row, column) pixel coordinates of the centres of the digits' boxes."""
    return corners.astype(np.float64) + (digit_side - 1) / 2


@torch.no_grad()
def window_errors(net: PairingNet, data: PairSet, batch_size: int = 256) -> dict[str, Any]:
    """Mean and median window-to-digit distance (pixels) over ``data``'s canvases, the same for
    the canvas's centre, and the windows' mean scale."""
    net.eval()
    canvases = data.canvases
    params = torch.cat(
        [net.params(canvases[i : i + batch_size]) for i in range(0, len(canvases), batch_size)]
    ).numpy()
    side = int(canvases.shape[-1])
    truth = digit_centres(data.corners)
    error = np.linalg.norm(window_centres(params, side) - truth, axis=1)
    centre = np.linalg.norm(truth - (side - 1) / 2, axis=1)
    return {
        "canvases": len(canvases),
        "mean_px": float(error.mean()),
        "median_px": float(np.median(error)),
        "canvas_centre_mean_px": float(centre.mean()),
        "mean_scale": float(params[:, 0].mean()),
    }
