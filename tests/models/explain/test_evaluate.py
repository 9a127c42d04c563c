"""The data-set measurement on a hand-made data set, and the report tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.explain.evaluate import evaluate
from models.explain.explainers import DistCamExplainer, Explanation, RandomExplainer
from models.explain.report import overall_table, per_lift_table
from models.synthetic.store import DatasetError
from models.zoo.preprocess import PreprocessConfig
from tests.models.explain.helpers import SIZE, write_set


class CornerExplainer:
    """Always points at the top-left corner and predicts "open"."""

    name = "corner"

    def explain(self, images: np.ndarray, lift: int | str) -> Explanation:
        heat = np.zeros((len(images), SIZE, SIZE), np.float32)
        heat[:, :4, :4] = 1.0
        return Explanation(heat, np.ones(len(images), np.int64))


def test_scores_per_lift_and_overall(tmp_path: Path) -> None:
    write_set(tmp_path)
    seen: list[tuple[int, int]] = []
    results = evaluate(
        tmp_path,
        [CornerExplainer(), RandomExplainer(0, (4, 4))],
        progress=lambda d, t: seen.append((d, t)),
    ).to_dict()
    corner = results["overall"]["corner"]
    assert corner["images"] == 2 and results["skipped_no_bar"] == {"1": 1}
    assert corner["pointing"] == 0.5  # on the first bar, 50 px from the second
    assert corner["pointing_exact"] == 0.5
    assert corner["iou"] == pytest.approx(0.5)  # 16/16 then 0/32
    assert corner["accuracy"] == 0.5  # "open" is right once
    assert corner["box_localisation"] == 0.5  # the box is the first bar's box exactly
    assert corner["top1_localisation_error"] == 0.5  # that one also has the right class
    assert results["per_lift"]["corner"]["1"]["pointing"] == 0.5
    assert results["overall"]["random"]["images"] == 2
    assert seen[-1] == (3, 3)
    table = overall_table(results, {"corner": "Corner"})
    assert "| Corner | 2 | 50.0 % | 50.0 % | 0.500 | 50.0 % | 50.0 % | 50.0 % |" in table
    assert "| random | 2 |" in table and table.splitlines()[-1].endswith("| — | — |")
    assert per_lift_table(results).splitlines()[2].startswith("| L01 | 50.0 % | 0.500 |")


def test_no_images_is_a_clear_error(tmp_path: Path) -> None:
    write_set(tmp_path)
    with pytest.raises(DatasetError, match="no val images"):
        evaluate(tmp_path, [CornerExplainer()], split="val")


def test_distcam_needs_masks_first() -> None:
    explainer = DistCamExplainer(lambda b: (b[:, :2, 0, 0], b), _siamese_config())
    with pytest.raises(KeyError, match="no masks"):
        explainer.explain(np.zeros((1, 8, 8, 3), np.uint8), 1)


def _siamese_config() -> PreprocessConfig:
    return PreprocessConfig(model="x", kind="siamese", input_size=(8, 8), embedding_size=2)
