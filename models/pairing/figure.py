"""Inputs above the STN's crops of them (GetNet's Fig. 7), and the test pairs a network gets
wrong, as PNGs (no pyplot state)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from models.pairing.data import PairSet
from models.pairing.nets import PairingNet
from models.pairing.train import pair_distances

PAIRS_PER_ROW = 8


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


@torch.no_grad()
def save_errors_figure(
    net: PairingNet, data: PairSet, threshold: float, path: Path, count: int = 16
) -> tuple[Path, int]:
    """The first ``count`` pairs of ``data`` that ``net`` judges wrongly at ``threshold``, one
    column each: both images as the sister sees them (GetNet's crops), titled with the truth
    and the distance. Written as a PNG to ``path``; also the number of wrong pairs."""
    distances = pair_distances(net, data)
    same = torch.from_numpy(data.pairs.same).bool()
    wrong = ((distances < threshold) != same).nonzero().flatten()
    shown = wrong[:count].tolist()
    columns = min(max(len(shown), 1), PAIRS_PER_ROW)
    rows = max(-(-len(shown) // columns), 1)
    fig = Figure(figsize=(1.2 * columns, 2.6 * rows + 0.3))
    axes = fig.subplots(2 * rows, columns, squeeze=False)
    for k, i in enumerate(shown):
        seen = net.crops(data.canvases[[int(data.pairs.a[i]), int(data.pairs.b[i])]])
        top, col = 2 * (k // columns), k % columns
        truth = "same" if same[i] else "different"
        axes[top, col].set_title(f"{truth}, d={float(distances[i]):.2f}", fontsize=7)
        for j in range(2):
            axes[top + j, col].imshow(seen[j, 0].numpy(), cmap="gray", vmin=0, vmax=1)
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        pair = (k // (2 * columns)) * columns + k % columns  # the pair this cell would show
        ax.set_visible(pair < len(shown) or not shown)
    fig.suptitle(
        f"{len(wrong)} of {len(same)} pairs wrong at threshold {threshold:.2f}", fontsize=8
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path, len(wrong)
