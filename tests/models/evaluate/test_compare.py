from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.evaluate.compare import CompareError, compare_markdown, read_evaluation
from models.evaluate.metrics import LiftScore
from models.evaluate.tables import accuracy_table


def _write(tmp: Path, name: str, model: str, correct: list[int], variant: str | None) -> Path:
    scores = [LiftScore(k + 1, 10, c, np.zeros((2, 2), np.int64)) for k, c in enumerate(correct)]
    table = accuracy_table(model, scores, "t", variant=variant)
    out = tmp / name
    out.mkdir()
    (out / "accuracy.json").write_text(json.dumps(table.to_dict()))
    return out


def test_columns_side_by_side_with_the_paper_where_known(tmp_path: Path) -> None:
    ours = read_evaluation(_write(tmp_path, "a", "siamese-paper", [9, 10], "small"))
    fast = read_evaluation(_write(tmp_path, "b", "siamese-fast", [10, 8], None), "fast")
    text = compare_markdown([ours, fast], "T2")
    lines = text.splitlines()
    assert lines[2] == "| chairlift | images | siamese-paper | siamese-paper (paper) | fast |"
    assert lines[4] == "| S1 | 10 | 90.00 | 95.39 | 100.00 |"
    assert lines[5] == "| S2 | 10 | 100.00 | 93.80 | 80.00 |"
    assert lines[6].startswith("| **Average** | **20** | **95.00** |")


def test_mismatched_lifts_and_bad_files_are_named(tmp_path: Path) -> None:
    a = read_evaluation(_write(tmp_path, "a", "siamese-fast", [9, 10], None))
    b = read_evaluation(_write(tmp_path, "b", "siamese-fast", [9], None), "one lift")
    with pytest.raises(CompareError, match="one lift was evaluated on other lifts"):
        compare_markdown([a, b], "t")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(CompareError, match=r"bad\.json is not an accuracy\.json"):
        read_evaluation(tmp_path / "bad.json")
    with pytest.raises(CompareError, match="does not exist"):
        read_evaluation(tmp_path / "missing")
