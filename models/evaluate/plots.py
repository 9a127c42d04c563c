"""PNG figures: the confusion matrix and the embedding scatter plots of the paper's Figures 4, 5.

* Figure 4 (``plot_lift_embeddings``): per lift, its images coloured by their true state and its
  two masks as big triangles (up: open, down: closed), one panel per lift, all in the single
  shared embedding space;
* Figure 5 (``plot_mask_embeddings``): the masks of every lift, up triangles open, down triangles
  closed, labelled with the lift number.

Embeddings of more than 2 dimensions are projected on the first two principal components of the
image and mask embeddings together (the title says so). Figures are drawn on ``Figure`` objects
without pyplot, so no global state or GUI backend is involved.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from models.evaluate.predict import Predictions
from models.synthetic.samples import LABELS

COLORS = {"closed": "tab:blue", "open": "tab:red"}


def project_2d(pred: Predictions) -> tuple[np.ndarray, dict[int, np.ndarray], str]:
    """(images (N, 2), {lift: masks (2, 2) as open, closed}, a description of the axes)."""
    if pred.embeddings is None or pred.mask_embeddings is None:
        raise ValueError("embedding plots need a siamese model's predictions")
    lifts = sorted(pred.mask_embeddings)
    masks = np.array([pred.mask_embeddings[k] for k in lifts], np.float64)  # (L, 2, D)
    images = np.asarray(pred.embeddings, np.float64)
    dim = images.shape[1] if images.ndim == 2 else masks.shape[-1]
    if dim == 2:
        return images, {k: masks[i] for i, k in enumerate(lifts)}, "2-D embedding space"
    data = np.concatenate([images.reshape(-1, dim), masks.reshape(-1, dim)])
    mean = data.mean(axis=0)
    _, _, vt = np.linalg.svd(data - mean, full_matrices=False)
    axes = vt[:2].T  # (D, 2)
    flat = (masks.reshape(-1, dim) - mean) @ axes
    projected = flat.reshape(len(lifts), 2, 2)
    what = f"PCA of the {dim}-D embeddings (fitted on images and masks)"
    return (images - mean) @ axes, {k: projected[i] for i, k in enumerate(lifts)}, what


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def plot_lift_embeddings(pred: Predictions, path: Path, title: str) -> Path:
    """Figure 4: one panel per lift (images by true state, the two masks as triangles)."""
    images, masks, what = project_2d(pred)
    lifts = sorted(masks)
    cols = min(4, len(lifts))
    rows = math.ceil(len(lifts) / cols)
    fig = Figure(figsize=(3.2 * cols, 3.0 * rows + 0.6), dpi=110, layout="constrained")
    axs = fig.subplots(rows, cols, squeeze=False)
    for ax, lift in zip(axs.flat, lifts, strict=False):
        here = pred.lifts == lift
        for label in (0, 1):
            pts = images[here & (pred.labels == label)]
            ax.scatter(
                pts[:, 0],
                pts[:, 1],
                s=6,
                alpha=0.5,
                c=COLORS[LABELS[label]],
                label=f"{LABELS[label]} images",
            )
        for xy, state, marker in zip(masks[lift], ("open", "closed"), "^v", strict=True):
            ax.scatter(
                [xy[0]],
                [xy[1]],
                marker=marker,
                s=260,
                c=COLORS[state],
                edgecolors="black",
                linewidths=1.2,
                label=f"{state} mask",
                zorder=3,
            )
        ax.set_title(f"S{lift}", fontsize=10)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axs.flat)[len(lifts) :]:
        ax.set_visible(False)
    handles, names = axs.flat[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=4, fontsize=7, markerscale=0.7)
    fig.suptitle(f"{title}\n{what}", fontsize=10)
    return _save(fig, path)


def plot_mask_embeddings(pred: Predictions, path: Path, title: str) -> Path:
    """Figure 5: every lift's masks, up triangles open, down triangles closed."""
    _, masks, what = project_2d(pred)
    fig = Figure(figsize=(7, 6), dpi=110, layout="constrained")
    ax = fig.subplots()
    cmap = _colors(len(masks))
    for i, (lift, (open_xy, closed_xy)) in enumerate(sorted(masks.items())):
        for xy, marker in ((open_xy, "^"), (closed_xy, "v")):
            ax.scatter(
                [xy[0]],
                [xy[1]],
                marker=marker,
                s=120,
                color=cmap[i],
                edgecolors="black",
                label=str(lift) if marker == "^" else None,
            )
            ax.annotate(
                str(lift), (xy[0], xy[1]), xytext=(5, 4), textcoords="offset points", fontsize=7
            )
    ax.legend(title="lift", fontsize=7, ncols=2, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(alpha=0.3)
    ax.set_title(f"{title}\nmasks: ▲ open, ▼ closed; {what}", fontsize=10)
    return _save(fig, path)


def _colors(n: int) -> list[tuple[float, float, float, float]]:
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]


def plot_confusion(matrix: np.ndarray, path: Path, title: str) -> Path:
    """The 2×2 confusion matrix: counts and the share of each true state."""
    fig = Figure(figsize=(4.2, 3.8), dpi=110, layout="constrained")
    ax = fig.subplots()
    totals = matrix.sum(axis=1, keepdims=True).clip(min=1)
    share = matrix / totals
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for t in range(matrix.shape[0]):
        for p in range(matrix.shape[1]):
            color = "white" if share[t, p] > 0.6 else "black"
            ax.text(
                p,
                t,
                f"{matrix[t, p]}\n{100 * share[t, p]:.1f} %",
                ha="center",
                va="center",
                color=color,
                fontsize=10,
            )
    ticks = list(range(len(LABELS)))
    ax.set_xticks(ticks, [f"{x}" for x in LABELS])
    ax.set_yticks(ticks, [f"{x}" for x in LABELS])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=9)
    return _save(fig, path)
