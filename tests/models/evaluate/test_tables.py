import csv
import io

import numpy as np
import pytest

from models.evaluate.metrics import LiftScore, confusion_matrix, mean_of_lifts, overall
from models.evaluate.paper_numbers import TABLE2, TABLE2_AVERAGE
from models.evaluate.tables import AVERAGE, OVERALL, accuracy_table


def score(lift: int, images: int, correct: int) -> LiftScore:
    return LiftScore(lift, images, correct, np.zeros((2, 2), np.int64))


def test_confusion_matrix_rows_are_true_states() -> None:
    m = confusion_matrix(np.array([0, 0, 1, 1, 1]), np.array([0, 1, 1, 1, 0]))
    assert m.tolist() == [[1, 1], [1, 2]]


def test_average_is_the_mean_of_lifts_and_overall_counts_images() -> None:
    scores = [score(1, 10, 10), score(2, 90, 45)]
    assert mean_of_lifts(scores) == pytest.approx(0.75)
    assert overall(scores) == pytest.approx(0.55)


def test_one_row_per_lift_then_average_and_overall() -> None:
    scores = [score(1, 10, 9), score(2, 20, 20), score(5, 4, 2)]
    table = accuracy_table("siamese-fast", scores, "t", "small")
    assert [r.name for r in table.rows] == ["S1", "S2", "S5", AVERAGE, OVERALL]
    assert table.average == pytest.approx(100 * (0.9 + 1.0 + 0.5) / 3)
    assert table.overall == pytest.approx(100 * 31 / 34)
    assert table.paper_source is None and table.headers() == ["chairlift", "images", "siamese-fast"]


def test_markdown_renders() -> None:
    table = accuracy_table("classifier-paper", [score(1, 10, 9), score(2, 4, 4)], "Title")
    md = table.to_markdown().splitlines()
    assert md[0] == "**Title**"
    assert md[2] == "| chairlift | images | classifier-paper |"
    assert md[3] == "|:---|---:|---:|"
    assert md[4] == "| S1 | 10 | 90.00 |"
    assert md[6] == "| **Average** | **14** | **95.00** |"
    assert md[7].startswith("| **Overall** | **14** | **92.86** |")


def test_paper_column_holds_the_papers_numbers() -> None:
    scores = [score(k, 100, 90) for k in range(1, 21)]
    table = accuracy_table("classifier-paper", scores, "t", "small")
    assert table.paper_source == "Table 2" and table.paper_printed_average == 87.76
    assert [r.paper for r in table.lift_rows] == list(TABLE2["classifier-paper"])
    avg, tot = table.rows[-2], table.rows[-1]
    assert avg.paper == pytest.approx(np.mean(TABLE2["classifier-paper"]))
    assert round(tot.paper or 0, 2) == TABLE2_AVERAGE["classifier-paper"]  # as printed
    assert "| paper (Table 2) |" in table.to_markdown()
    large = accuracy_table("vgg16", scores[:2], "t", "large")
    assert large.paper_source == "Table 4" and [r.paper for r in large.lift_rows] == [100, 100]
    off = accuracy_table("classifier-paper", scores, "t", "small", paper=False)
    assert off.paper_source is None and all(r.paper is None for r in off.rows)


def test_csv_and_json() -> None:
    table = accuracy_table("siamese-paper", [score(3, 10, 7), score(25, 5, 5)], "t", "small")
    rows = list(csv.DictReader(io.StringIO(table.to_csv())))
    assert [r["chairlift"] for r in rows] == ["S3", "S25", AVERAGE, OVERALL]
    assert rows[0] == {
        "chairlift": "S3",
        "lift": "3",
        "images": "10",
        "accuracy": "70.0000",
        "paper": "94.64",
    }
    assert rows[1]["paper"] == "" and rows[2]["paper"] == ""  # no S25 in the paper
    d = table.to_dict()
    assert d["average"] == pytest.approx(85.0) and len(d["rows"]) == 4
    assert d["paper_source"] == "Table 2" and d["rows"][0]["paper"] == 94.64
