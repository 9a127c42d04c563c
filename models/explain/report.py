"""Evaluation results (``evaluate.Results.to_dict()``) as markdown tables."""

from __future__ import annotations

from typing import Any

HEADER = (
    "| {first} | images | pointing ±{tol} px | pointing exact | IoU @ {thr:g}·max "
    "| box loc. | top-1 loc. error | accuracy |"
)


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _row(first: str, s: dict[str, Any], has_accuracy: bool) -> str:
    accuracy = _pct(s["accuracy"]) if has_accuracy else "—"
    top1 = _pct(s["top1_localisation_error"]) if has_accuracy else "—"
    return (
        f"| {first} | {s['images']} | {_pct(s['pointing'])} | {_pct(s['pointing_exact'])} "
        f"| {s['iou']:.3f} | {_pct(s['box_localisation'])} | {top1} | {accuracy} |"
    )


def overall_table(results: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    """One row per explainer; ``labels`` renames them (e.g. "Dist-CAM, siamese-fast")."""
    names = labels or {}
    head = HEADER.format(
        first="method", tol=results["pointing_tolerance_px"], thr=results["iou_threshold"]
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, summary in results["overall"].items():
        lines.append(_row(names.get(name, name), summary, name != "random"))
    return "\n".join(lines)


def per_lift_table(results: dict[str, Any]) -> str:
    """Pointing game (±tolerance) and IoU per lift, one column pair per explainer."""
    names = list(results["per_lift"])
    head = "| lift | " + " | ".join(f"{n} pointing | {n} IoU" for n in names) + " |"
    lines = [head, "|---:|" + "---:|---:|" * len(names)]
    lifts = list(next(iter(results["per_lift"].values())))
    for lift in lifts:
        cells = []
        for n in names:
            s = results["per_lift"][n][lift]
            cells += [_pct(s["pointing"]), f"{s['iou']:.3f}"]
        lines.append(f"| L{int(lift):02d} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
