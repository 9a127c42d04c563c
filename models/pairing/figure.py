"""Inputs above the STN's crops of them (GetNet's Fig. 7), as one PNG (no pyplot state)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from models.pairing.nets import PairingNet


def window_box(s: float, tx: float, ty: float, side: int) -> tuple[float, float, float]:
    """(x0, y0, width) in pixels of the window [t − s, t + s] (normalised) of a side² image."""
    return (tx - s + 1) * side / 2 - 0.5, (ty - s + 1) * side / 2 - 0.5, s * side


def crops_grid(
    inputs: list[np.ndarray],
    crops: list[np.ndarray],
    params: torch.Tensor,
    path: Path,
    titles: list[str] | None = None,
    dpi: int = 100,
) -> Path:
    """Row 1: ``inputs`` (images, side² pixels; 2-D ones in grey) with the STN's window
    (``params``, (N, 3) of s, tx, ty) in red; row 2: ``crops``. Written as a PNG to ``path``."""
    n, side = len(inputs), int(inputs[0].shape[0])
    fig = Figure(figsize=(1.6 * n, 3.4))
    axes = fig.subplots(2, n, squeeze=False)
    for i in range(n):
        s, tx, ty = (float(v) for v in params[i])
        top, bottom = axes[0, i], axes[1, i]
        grey = {"cmap": "gray", "vmin": 0, "vmax": 1} if inputs[i].ndim == 2 else {}
        top.imshow(inputs[i], **grey)
        x0, y0, width = window_box(s, tx, ty, side)
        top.add_patch(Rectangle((x0, y0), width, width, fill=False, color="red"))
        top.set_title(f"{titles[i]}\ns={s:.2f}" if titles else f"s={s:.2f}", fontsize=7)
        bottom.imshow(crops[i], **grey)
        for ax in (top, bottom):
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("input", fontsize=8)
    axes[1, 0].set_ylabel("STN crop", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


@torch.no_grad()
def save_crops_figure(net: PairingNet, canvases: torch.Tensor, path: Path) -> Path:
    """Row 1: ``canvases`` (N, 1, S, S) with the STN's window in red; row 2: the crops."""
    net.eval()
    crops, params = net.crops(canvases), net.params(canvases)
    return crops_grid([c[0].numpy() for c in canvases], [c[0].numpy() for c in crops], params, path)
