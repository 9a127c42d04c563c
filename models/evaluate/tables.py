"""Per-lift accuracy tables in the layout of the paper's Tables 2 and 4 (markdown, JSON, CSV).

One row per lift (``S1``, ``S2``, … as the paper names them), then ``Average``, the mean of the
per-lift accuracies, and ``Overall``, the accuracy over all images. Accuracies are percentages.
The optional paper column holds the paper's row for the same lift (``paper_numbers``); its
Average and Overall are recomputed from those rows over the lifts shown (Overall weighted by the
paper's test-set sizes, which reproduces Table 2's printed "Average" over all 20 lifts).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from models.evaluate.metrics import LiftScore, mean_of_lifts, overall
from models.evaluate.paper_numbers import paper_accuracy, paper_table, paper_test_size

AVERAGE, OVERALL = "Average", "Overall"


@dataclass(frozen=True)
class TableRow:
    """``name`` S<k>, Average or Overall; ``accuracy`` and ``paper`` in per cent."""

    name: str
    lift: int | None
    images: int
    accuracy: float
    paper: float | None = None


@dataclass(frozen=True)
class AccuracyTable:
    """The rows and what they describe; ``paper_source`` is e.g. ``"Table 2"``."""

    model: str
    title: str
    rows: list[TableRow]
    paper_source: str | None = None
    paper_printed_average: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def average(self) -> float:
        return next(r.accuracy for r in self.rows if r.name == AVERAGE)

    @property
    def overall(self) -> float:
        return next(r.accuracy for r in self.rows if r.name == OVERALL)

    @property
    def lift_rows(self) -> list[TableRow]:
        return [r for r in self.rows if r.lift is not None]

    def headers(self) -> list[str]:
        head = ["chairlift", "images", self.model]
        return head + ([f"paper ({self.paper_source})"] if self.paper_source else [])

    def cells(self, row: TableRow) -> list[str]:
        out = [row.name, str(row.images), f"{row.accuracy:.2f}"]
        if self.paper_source:
            out.append("—" if row.paper is None else f"{row.paper:.2f}")
        return out

    def to_markdown(self) -> str:
        lines = [f"**{self.title}**", "", "| " + " | ".join(self.headers()) + " |"]
        lines.append("|" + "|".join([":---", "---:"] + ["---:"] * (len(self.headers()) - 2)) + "|")
        for row in self.rows:
            cells = self.cells(row)
            if row.lift is None:
                cells = [f"**{c}**" for c in cells]
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", *[f"- {n}" for n in self.notes]] if self.notes else []
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["chairlift", "lift", "images", "accuracy", "paper"])
        for r in self.rows:
            paper = "" if r.paper is None else f"{r.paper:.2f}"
            lift = "" if r.lift is None else r.lift
            writer.writerow([r.name, lift, r.images, f"{r.accuracy:.4f}", paper])
        return buf.getvalue()

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "title": self.title,
            "average": self.average,
            "overall": self.overall,
            "paper_source": self.paper_source,
            "paper_printed_average": self.paper_printed_average,
            "rows": [asdict(r) for r in self.rows],
            "notes": list(self.notes),
        }


def _paper_summary(lifts: list[int], values: list[float | None]) -> tuple[float, float] | None:
    """(plain mean, test-size-weighted mean) of the paper's rows, if it has every lift."""
    if not values or any(v is None for v in values):
        return None
    vals = np.array(values, float)
    weights = np.array([paper_test_size(k) for k in lifts], float)
    return float(vals.mean()), float((vals * weights).sum() / weights.sum())


def accuracy_table(
    model: str, scores: list[LiftScore], title: str, variant: str | None = None, paper: bool = True
) -> AccuracyTable:
    """The table of ``scores``; a paper column where the paper has ``model`` at ``variant``."""
    source = paper_table(model, variant) if (paper and variant) else None
    lifts = [s.lift for s in scores]
    papers = [paper_accuracy(model, variant, k) if source and variant else None for k in lifts]
    rows = [
        TableRow(f"S{s.lift}", s.lift, s.images, 100 * s.accuracy, p)
        for s, p in zip(scores, papers, strict=True)
    ]
    summary = _paper_summary(lifts, papers) if source else None
    images = sum(s.images for s in scores)
    rows.append(TableRow(AVERAGE, None, images, 100 * mean_of_lifts(scores), _first(summary)))
    rows.append(TableRow(OVERALL, None, images, 100 * overall(scores), _second(summary)))
    notes = [
        "Average: mean of the per-lift accuracies; Overall: accuracy over all images.",
    ]
    if source:
        name, _, printed = source
        notes.append(
            f"Paper column: {name} of Alqasir et al. (VISAPP 2020), {model}; its Average and "
            f"Overall are recomputed over the lifts shown (Overall weighted by the paper's "
            f"test-set sizes). The paper prints {printed:.2f} as the average over its 20 lifts."
        )
    return AccuracyTable(
        model, title, rows, source[0] if source else None, source[2] if source else None, notes
    )


def _first(pair: tuple[float, float] | None) -> float | None:
    return None if pair is None else pair[0]


def _second(pair: tuple[float, float] | None) -> float | None:
    return None if pair is None else pair[1]
