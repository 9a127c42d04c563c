"""Scoring a replay against ground truth: matching, recall, precision, false alarms, frames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.pipeline.score import Score, ScoreInputError, match, score, score_files


def _truth(*passages: tuple[int, bool]) -> dict[str, Any]:
    return {
        "fps": 10,
        "frames": 1000,
        "passages": [
            {
                "passage": k,
                "first_frame": dep - 5,
                "last_frame": dep + 5,
                "departure_frame": dep,
                "violation": violation,
                # open (1.0) on violations, closed (0.0) otherwise, for all 11 frames
                "bar_angles": [1.0 if violation else 0.0] * 11,
            }
            for k, (dep, violation) in enumerate(passages)
        ],
    }


def _result(*passages: tuple[int, bool]) -> dict[str, Any]:
    return {
        "passages": [
            {
                "passage": k,
                "departure_frame": dep,
                "alarm": alarm,
                "frames": [
                    {"frame": dep + d, "state": "open" if alarm else "closed"} for d in (-1, 0, 1)
                ],
            }
            for k, (dep, alarm) in enumerate(passages)
        ]
    }


def test_perfect_replay() -> None:
    truth = _truth((50, False), (100, True), (150, False))
    s = score(truth, _result((51, False), (99, True), (150, False)), tolerance=5)
    assert (s.matched, s.missed_passages, s.spurious_passages) == (3, 0, 0)
    assert s.recall == 1.0 and s.precision == 1.0 and s.false_alarm_rate == 0.0
    assert s.frame_accuracy == 1.0 and s.frames_scored == 9
    assert s.mean_departure_error == pytest.approx(2 / 3)


def test_missed_violation_false_alarm_and_spurious_passage() -> None:
    truth = _truth((50, True), (100, False), (150, True), (200, False))
    # 50 alarmed; 100 alarmed wrongly; 150 never seen; 300 a passage of nothing, alarmed
    s = score(truth, _result((50, True), (100, True), (200, False), (300, True)), tolerance=5)
    assert s.violations == 2 and s.alarmed_violations == 1 and s.recall == 0.5
    assert s.alarms == 3 and s.precision == pytest.approx(1 / 3)
    assert s.false_alarms == 2 and s.false_alarm_rate == 1.0
    assert (s.missed_passages, s.spurious_passages) == (1, 1)


def test_matching_is_one_to_one_nearest_first() -> None:
    truth = _truth((100, False), (106, False))["passages"]
    result = _result((104, False))["passages"]
    assert match(truth, result, tolerance=5) == [(1, 0)]
    assert match(truth, result, tolerance=1) == []


def test_scores_add_up() -> None:
    a = score(_truth((50, True)), _result((50, True)), 5)
    b = score(_truth((50, True)), _result((50, False)), 5)
    total = a + b
    assert total.violations == 2 and total.recall == 0.5
    assert Score() + a == a


def test_files_and_their_errors(tmp_path: Path) -> None:
    truth, result = tmp_path / "truth.json", tmp_path / "result.json"
    truth.write_text(json.dumps(_truth((50, True))))
    result.write_text(json.dumps(_result((52, True))))
    assert score_files(truth, result).recall == 1.0
    assert score_files(truth, result, tolerance=1).recall == 0.0
    with pytest.raises(ScoreInputError, match="does not exist"):
        score_files(tmp_path / "nope.json", result)
    result.write_text("{not json")
    with pytest.raises(ScoreInputError, match=r"result file .* not readable JSON"):
        score_files(truth, result)
    result.write_text(json.dumps({"passages": [{"passage": 0}]}))
    with pytest.raises(ScoreInputError, match="passage #0 lacks departure_frame, alarm"):
        score_files(truth, result)


def test_violations_with_a_hidden_bar_are_counted_apart() -> None:
    truth = _truth((50, True), (100, True), (150, True), (200, False))
    truth["passages"][1]["bar_visible"] = 0.3  # hidden behind the carrier in front
    truth["passages"][2]["bar_visible"] = 0.5  # half in sight: visible
    s = score(truth, _result((50, True), (150, False), (200, False)), tolerance=5)
    assert (s.violations, s.alarmed_violations) == (3, 1)
    assert (s.visible_violations, s.alarmed_visible_violations) == (2, 1)
    assert s.visible_recall == 0.5 and s.to_dict()["visible_recall"] == 0.5
    older = _truth((50, True))  # a truth without bar_visible: its bar counts as visible
    assert score(older, _result((50, False)), tolerance=5).visible_violations == 1
