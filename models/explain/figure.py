"""A picture of example heatmaps: per row an image, its bar, and each explainer's overlay."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from models.explain.explainers import DistCamExplainer, Explainer
from models.explain.overlay import overlay
from models.synthetic.samples import LABELS
from models.synthetic.store import DatasetError, load_masks, read_rows

BAR = 2
TITLE_H = 22
BAR_COLOUR = (0, 200, 255)  # BGR amber


def _title(tile: np.ndarray, text: str) -> np.ndarray:
    band = np.full((TITLE_H, tile.shape[1], 3), 255, np.uint8)
    cv2.putText(band, text, (4, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([band, tile])


def _peak(tile: np.ndarray, heat: np.ndarray) -> np.ndarray:
    row, col = np.unravel_index(int(np.argmax(heat)), heat.shape)
    out = tile.copy()
    cv2.drawMarker(out, (int(col), int(row)), (255, 255, 255), cv2.MARKER_CROSS, 14, 2)
    return out


def example_rows(root: Path, split: str, lifts: Sequence[int], per_lift: int) -> list[dict]:
    """The first ``per_lift`` images of each lift, alternating open and closed where possible."""
    rows = [r for r in read_rows(root) if r["split"] == split and int(r["lift"]) in set(lifts)]
    picked: list[dict] = []
    for lift in lifts:
        mine = [r for r in rows if int(r["lift"]) == lift]
        for label in LABELS[::-1]:
            picked += [r for r in mine if r["label"] == label][: (per_lift + 1) // 2]
    if not picked:
        raise DatasetError(f"{root}: no {split} images of lifts {list(lifts)}")
    return picked


def examples_figure(
    root: Path, rows: Sequence[dict], explainers: Sequence[tuple[str, Explainer]]
) -> np.ndarray:
    """The BGR picture: columns image, bar (segmentation), then one overlay per explainer."""
    lines = []
    for r in rows:
        lift = int(r["lift"])
        image = cv2.imread(str(root / r["image"]), cv2.IMREAD_COLOR)
        seg = cv2.imread(str(root / r["segmentation"]), cv2.IMREAD_GRAYSCALE)
        if image is None or seg is None:
            raise DatasetError(f"cannot read {r['image']} or its segmentation")
        bar = image.copy()
        bar[seg == BAR] = BAR_COLOUR
        tiles = [_title(image, f"L{lift:02d} {r['label']}"), _title(bar, "bar (truth)")]
        for title, explainer in explainers:
            if isinstance(explainer, DistCamExplainer) and not explainer.has_masks(lift):
                explainer.set_masks(lift, *load_masks(root, lift))
            out = explainer.explain(image[None], lift)
            heat = out.heatmaps[0]
            said = "" if out.predicted[0] < 0 else f": {LABELS[int(out.predicted[0])]}"
            tiles.append(_title(_peak(overlay(image, heat), heat), f"{title}{said}"))
        lines.append(np.hstack(tiles))
    return np.vstack(lines)


def write_figure(path: Path, picture: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), picture):
        raise OSError(f"could not write {path}")
    return path
