"""Measure heatmaps against the synthetic bar segmentation of a data set split.

For every image of the split (``limit`` per lift if given) whose bar is visible (segmentation
label ``BAR`` = 2; images with no bar pixel are counted as skipped), each explainer's heatmap is
scored by the pointing game (at ``POINTING_TOLERANCE`` px and at 0 px) and by the IoU of the map
thresholded at ``IOU_THRESHOLD`` × its maximum, and by the paper's box localisation (box of the
largest region above 20 % of the maximum against the bar's box, correct at IoU ≥ 0.5; top-1:
with the explained class right too) (``models.explain.localisation``). Results are per lift and
overall (means over images), with each explainer's prediction accuracy (the class its heatmap
explains) and its seconds per image, for context.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from models.explain.explainers import DistCamExplainer, Explainer
from models.explain.localisation import (
    BOX_IOU_OK,
    BOX_THRESHOLD,
    IOU_THRESHOLD,
    POINTING_TOLERANCE,
    box_iou,
    pointing_hit,
    threshold_iou,
)
from models.synthetic.samples import LABELS
from models.synthetic.store import DatasetError, load_masks, read_rows

log = logging.getLogger(__name__)
BAR = 2
BATCH = 32


@dataclass
class Tally:
    """Running sums of one explainer on one group of images."""

    images: int = 0
    hits: int = 0
    exact_hits: int = 0
    iou_sum: float = 0.0
    correct: int = 0
    box_hits: int = 0
    top1_hits: int = 0
    seconds: float = 0.0

    def add(self, hit: bool, exact: bool, iou: float, correct: bool, box: float) -> None:
        self.images += 1
        self.hits += hit
        self.exact_hits += exact
        self.iou_sum += iou
        self.correct += correct
        self.box_hits += box >= BOX_IOU_OK
        self.top1_hits += correct and box >= BOX_IOU_OK

    def summary(self) -> dict[str, float | int]:
        n = max(self.images, 1)
        return {
            "images": self.images,
            "pointing": self.hits / n,
            "pointing_exact": self.exact_hits / n,
            "iou": self.iou_sum / n,
            "accuracy": self.correct / n,
            "box_localisation": self.box_hits / n,
            "top1_localisation_error": 1 - self.top1_hits / n,
            "ms_per_image": 1000 * self.seconds / n,
        }


@dataclass
class Results:
    """Tallies per explainer: ``per_lift[name][lift]`` and ``overall[name]``."""

    per_lift: dict[str, dict[int, Tally]] = field(default_factory=lambda: defaultdict(dict))
    overall: dict[str, Tally] = field(default_factory=dict)
    skipped: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def to_dict(self) -> dict[str, Any]:
        return {
            "pointing_tolerance_px": POINTING_TOLERANCE,
            "iou_threshold": IOU_THRESHOLD,
            "box_threshold": BOX_THRESHOLD,
            "box_iou_ok": BOX_IOU_OK,
            "skipped_no_bar": {str(k): v for k, v in sorted(self.skipped.items())},
            "overall": {name: t.summary() for name, t in self.overall.items()},
            "per_lift": {
                name: {str(lift): t.summary() for lift, t in sorted(lifts.items())}
                for name, lifts in self.per_lift.items()
            },
        }


def _rows(root: Path, split: str, lifts: Sequence[int] | None, limit: int | None) -> list[dict]:
    rows = [r for r in read_rows(root) if r["split"] == split]
    if lifts is not None:
        rows = [r for r in rows if int(r["lift"]) in set(lifts)]
    if limit is not None:
        per: dict[int, int] = defaultdict(int)
        kept = []
        for r in rows:
            per[int(r["lift"])] += 1
            if per[int(r["lift"])] <= limit:
                kept.append(r)
        rows = kept
    if not rows:
        raise DatasetError(f"{root}: no {split} images" + (f" of lifts {lifts}" if lifts else ""))
    return rows


def _read(root: Path, rel: str, flags: int) -> np.ndarray:
    image = cv2.imread(str(root / rel), flags)
    if image is None:
        raise DatasetError(f"cannot read {root / rel}")
    return image


def _batches(root: Path, rows: list[dict]) -> Iterator[tuple[int, list[dict], np.ndarray, list]]:
    """(lift, rows, images, bar masks) per batch of one lift."""
    by_lift: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        by_lift[int(r["lift"])].append(r)
    for lift in sorted(by_lift):
        group = by_lift[lift]
        for i in range(0, len(group), BATCH):
            chunk = group[i : i + BATCH]
            images = np.stack([_read(root, r["image"], cv2.IMREAD_COLOR) for r in chunk])
            bars = [_read(root, r["segmentation"], cv2.IMREAD_GRAYSCALE) == BAR for r in chunk]
            yield lift, chunk, images, bars


def evaluate(
    root: Path,
    explainers: Sequence[Explainer],
    split: str = "test",
    lifts: Sequence[int] | None = None,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Results:
    """Score every explainer on ``split`` of the data set at ``root`` (see module doc)."""
    rows = _rows(Path(root), split, lifts, limit)
    results = Results(overall={e.name: Tally() for e in explainers})
    done = 0
    for lift, chunk, images, bars in _batches(Path(root), rows):
        visible = [i for i, bar in enumerate(bars) if bar.any()]
        results.skipped[lift] += len(chunk) - len(visible)
        labels = [LABELS.index(chunk[i]["label"]) for i in visible]
        for explainer in explainers:
            if isinstance(explainer, DistCamExplainer) and not explainer.has_masks(lift):
                explainer.set_masks(lift, *load_masks(Path(root), lift))
            tally = results.per_lift[explainer.name].setdefault(lift, Tally())
            if not visible:
                continue
            start = time.perf_counter()
            out = explainer.explain(images[visible], lift)
            elapsed = time.perf_counter() - start
            tally.seconds += elapsed
            results.overall[explainer.name].seconds += elapsed
            items = zip(out.heatmaps, out.predicted, visible, labels, strict=True)
            for heat, predicted, index, label in items:
                bar = bars[index]
                scores = (
                    pointing_hit(heat, bar),
                    pointing_hit(heat, bar, tolerance=0),
                    threshold_iou(heat, bar),
                    bool(predicted == label),
                    box_iou(heat, bar),
                )
                tally.add(*scores)
                results.overall[explainer.name].add(*scores)
        done += len(chunk)
        if progress is not None:
            progress(done, len(rows))
    return results
