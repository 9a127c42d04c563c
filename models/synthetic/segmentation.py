"""Per-pixel segmentations of a data set on disk (``*.seg.png``), in ``load_split``'s order.

``load_segmentations(root, split, lifts)`` reads the segmentation of every image that
``store.load_split(root, split, lifts)`` reads, row for row (``samples.csv`` order), with each
row's lift so a caller can check the two line up. Classes: 0 background, 1 carrier, 2 bar,
3 person (``SEGMENTATION_CLASSES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from models.synthetic.splits import SPLITS
from models.synthetic.store import DatasetError, read_rows

SEGMENTATION_CLASSES: tuple[str, ...] = ("background", "carrier", "bar", "person")


@dataclass(frozen=True)
class Segmentations:
    """(N, H, W) uint8 class maps and the (N,) lift of each row."""

    maps: np.ndarray
    lifts: np.ndarray

    def __len__(self) -> int:
        return len(self.lifts)


def read_segmentation(path: Path) -> np.ndarray:
    """One ``*.seg.png`` as (H, W) uint8 classes; ``DatasetError`` if unreadable or bad."""
    seg = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if seg is None:
        raise DatasetError(f"cannot read segmentation {path}")
    if seg.size and int(seg.max()) >= len(SEGMENTATION_CLASSES):
        raise DatasetError(
            f"{path}: class {int(seg.max())} out of range (0..{len(SEGMENTATION_CLASSES) - 1})"
        )
    return seg


def load_segmentations(root: Path, split: str, lifts: list[int] | None = None) -> Segmentations:
    """The segmentations of ``split`` (of ``lifts``, default all) in ``load_split``'s order."""
    if split not in SPLITS:
        raise DatasetError(f"split must be one of {SPLITS}, got {split!r}")
    rows = [
        r
        for r in read_rows(root)
        if r["split"] == split and (lifts is None or int(r["lift"]) in lifts)
    ]
    missing = [r["image"] for r in rows if not r.get("segmentation")]
    if missing:
        raise DatasetError(f"{root}/samples.csv gives no segmentation for {missing[0]}")
    maps = (
        np.stack([read_segmentation(root / r["segmentation"]) for r in rows])
        if rows
        else np.zeros((0, 1, 1), np.uint8)
    )
    return Segmentations(maps, np.array([int(r["lift"]) for r in rows], np.int64))


def resize_segmentations(maps: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(N, H, W) class maps → (N, h, w) by nearest neighbour (classes stay classes)."""
    h, w = size
    if maps.shape[1:] == (h, w):
        return maps
    return np.stack([cv2.resize(m, (w, h), interpolation=cv2.INTER_NEAREST) for m in maps])
