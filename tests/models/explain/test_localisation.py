"""Pointing game and IoU on hand-made maps."""

from __future__ import annotations

import numpy as np
import pytest

from models.explain.localisation import (
    box_iou,
    box_iou_of,
    distance_to_part,
    heatmap_box,
    pointing_hit,
    threshold_iou,
)


def bar() -> np.ndarray:
    part = np.zeros((20, 20), bool)
    part[5:7, 2:18] = True  # rows 5-6, 32 pixels
    return part


def peak_at(row: int, col: int) -> np.ndarray:
    heat = np.zeros((20, 20), np.float32)
    heat[row, col] = 1.0
    return heat


def test_pointing_game_with_tolerance() -> None:
    heat = peak_at(10, 10)  # 4 px below the bar's last row
    assert distance_to_part(bar())[10, 10] == pytest.approx(4.0)
    assert pointing_hit(heat, bar())  # default tolerance 15 px
    assert pointing_hit(heat, bar(), tolerance=4)
    assert not pointing_hit(heat, bar(), tolerance=3)
    assert pointing_hit(peak_at(6, 3), bar(), tolerance=0)
    assert not pointing_hit(peak_at(19, 19), bar(), tolerance=12)  # √(13² + 2²) > 12


def test_iou_of_the_half_max_region() -> None:
    heat = np.zeros((20, 20), np.float32)
    heat[5:8, 2:18] = 0.8  # rows 5-7: 48 pixels, all of the bar
    heat[5, 2] = 1.0
    heat[15, 15] = 0.3  # under half the maximum: left out
    assert threshold_iou(heat, bar()) == pytest.approx(32 / 48)
    assert threshold_iou(heat, bar(), threshold=0.25) == pytest.approx(32 / 49)
    assert threshold_iou(np.zeros((20, 20)), bar()) == 0.0


def test_box_localisation_takes_the_largest_hot_region() -> None:
    heat = np.zeros((20, 20), np.float32)
    heat[4:8, 2:12] = 1.0  # 40 px: the largest region above 20 % of the maximum
    heat[15:17, 15:17] = 0.5  # 4 px, also above 20 %, but smaller: ignored
    heat[10, 10] = 0.1  # under 20 %
    assert heatmap_box(heat) == (2, 4, 11, 7)
    # bar box (2, 5)-(17, 6): 32 px; heat box 40 px; overlap (2, 5)-(11, 6) = 20 px
    assert box_iou(heat, bar()) == pytest.approx(20 / (40 + 32 - 20))
    assert box_iou_of((0, 0, 1, 1), (2, 2, 3, 3)) == 0.0
    assert box_iou_of((0, 0, 3, 3), (0, 0, 3, 3)) == 1.0
    assert box_iou(np.zeros((20, 20)), bar()) == 0.0


def test_unscorable_input_is_refused() -> None:
    with pytest.raises(ValueError, match="not visible"):
        pointing_hit(peak_at(1, 1), np.zeros((20, 20), bool))
    with pytest.raises(ValueError, match="same 2-D shape"):
        threshold_iou(np.zeros((10, 10)), bar())
    with pytest.raises(ValueError, match="threshold"):
        threshold_iou(peak_at(1, 1), bar(), threshold=0)
