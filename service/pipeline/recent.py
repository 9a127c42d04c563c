"""The last few registered frames of a station, kept for the departure snapshots.

The passage tracker places a frame in a passage some frames after it was registered (once the
track has ``min_frames`` frames and has come near the departure point), and the departure frame
is only known frame by frame; so the analyser keeps the last ``size`` registered frames (full
frame and crop) and copies out each passage's best departure candidates (the tracker's
``departure_cost``) as its frames are confirmed; the snapshot is chosen among them when the
passage ends.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Kept:
    """A registered frame: its source index, the full frame and the registered crop."""

    source_frame: int
    image: np.ndarray
    crop: np.ndarray


class RecentFrames:
    """Bounded map frame index → :class:`Kept`; the oldest goes first."""

    def __init__(self, size: int = 16) -> None:
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self.size = size
        self._items: OrderedDict[int, Kept] = OrderedDict()

    def add(self, frame: int, kept: Kept) -> None:
        self._items[frame] = kept
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def get(self, frame: int) -> Kept | None:
        return self._items.get(frame)

    def __len__(self) -> int:
        return len(self._items)
