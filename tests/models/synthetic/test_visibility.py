"""The share of a departing carrier's bar in sight, on hand-made drawings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.synthetic.primitives import Label
from models.synthetic.visibility import bar_visible

SHAPE = (10, 10)


@dataclass(frozen=True)
class Block:
    """A hand-made carrier: a bar over columns ``cols`` of row 5, drawn with ``depth``."""

    cols: tuple[int, int]
    depth: float


class Drawer:
    """Draws blocks nearest-last: each block's bar row, coloured by its depth."""

    def draw(self, states: list[Block]) -> tuple[np.ndarray, np.ndarray]:
        image = np.zeros((*SHAPE, 3), np.uint8)
        labels = np.zeros(SHAPE, np.uint8)
        for b in sorted(states, key=lambda s: -s.depth):  # far first, near over it
            image[5, b.cols[0] : b.cols[1]] = int(b.depth * 10)
            labels[5, b.cols[0] : b.cols[1]] = Label.BAR
        return image, labels


@dataclass(frozen=True)
class Passage:
    departure: int
    block: Block


class Timeline:
    def __init__(self, *passages: Passage) -> None:
        self.passages = list(passages)

    def state(self, passage: Passage, frame: int) -> Block | None:
        return passage.block


def test_a_bar_half_covered_by_a_nearer_carrier() -> None:
    me = Passage(10, Block((0, 8), depth=5.0))  # 8 bar pixels
    front = Passage(5, Block((4, 10), depth=2.0))  # nearer: covers 4 of them
    behind = Passage(20, Block((0, 10), depth=9.0))  # farther: covers nothing
    timeline = Timeline(me, front, behind)
    assert bar_visible(Drawer(), timeline, me) == 0.5  # type: ignore[arg-type]
    assert bar_visible(Drawer(), Timeline(me, behind), me) == 1.0  # type: ignore[arg-type]
    assert bar_visible(Drawer(), Timeline(me), me) == 1.0  # type: ignore[arg-type]


def test_a_bar_out_of_the_frame_is_not_visible() -> None:
    gone = Passage(10, Block((3, 3), depth=5.0))  # no bar pixel
    assert bar_visible(Drawer(), Timeline(gone), gone) == 0.0  # type: ignore[arg-type]
