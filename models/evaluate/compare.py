"""Several evaluations side by side: the per-lift tables of ``liftwatch evaluate`` merged.

``compare_markdown`` reads the ``accuracy.json`` files that ``liftwatch evaluate`` writes and
prints one markdown table with a column per evaluation (labelled by the model, or by the label
given) and, where an evaluation carries the paper's numbers, the paper's column beside it. This
is how docs/ACCURACY.md's tables are made (``liftwatch compare``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.evaluate.tables import AVERAGE, OVERALL


class CompareError(ValueError):
    """An evaluation file that cannot be compared; the message says which and why."""


@dataclass(frozen=True)
class Evaluation:
    label: str
    rows: dict[str, dict[str, Any]]  # by row name (S1…, Average, Overall)
    has_paper: bool


def read_evaluation(path: Path, label: str | None = None) -> Evaluation:
    """An ``accuracy.json`` (or the directory holding one)."""
    file = path / "accuracy.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        rows = {str(r["name"]): r for r in data["rows"]}
        model = str(data["model"])
    except FileNotFoundError:
        raise CompareError(f"{file} does not exist: run liftwatch evaluate first") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CompareError(f"{file} is not an accuracy.json of liftwatch evaluate: {exc}") from exc
    has_paper = any(r.get("paper") is not None for r in rows.values())
    return Evaluation(label or model, rows, has_paper)


def _cell(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}"


def compare_markdown(evaluations: list[Evaluation], title: str) -> str:
    """One table: chairlift, images, then ours (and the paper's) per evaluation."""
    if not evaluations:
        raise CompareError("nothing to compare: give at least one accuracy.json")
    names = list(evaluations[0].rows)
    for ev in evaluations[1:]:
        if list(ev.rows) != names:
            raise CompareError(
                f"{ev.label} was evaluated on other lifts than {evaluations[0].label}"
            )
    head = ["chairlift", "images"]
    for ev in evaluations:
        head += [ev.label] + ([f"{ev.label} (paper)"] if ev.has_paper else [])
    lines = [f"**{title}**", "", "| " + " | ".join(head) + " |"]
    lines.append("|:---|" + "---:|" * (len(head) - 1))
    for name in names:
        cells = [name, str(evaluations[0].rows[name]["images"])]
        for ev in evaluations:
            row = ev.rows[name]
            cells.append(_cell(row["accuracy"]))
            if ev.has_paper:
                cells.append(_cell(row.get("paper")))
        if name in (AVERAGE, OVERALL):
            cells = [f"**{c}**" for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
