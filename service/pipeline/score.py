"""Scoring a replay against a station video's ground truth.

Truth passages (``truth.json``: ``{fps, frames, passages: [{passage, first_frame, last_frame,
departure_frame, violation}]}``, per-frame ``bar_angles`` optional) are matched one to one with
the replay's passages by departure frame, nearest first, within ``tolerance`` frames. Then:

- violation recall: violations whose passage raised an alarm, over all violations (a violation
  the pipeline never saw as a passage counts as missed);
- precision: alarms on violations over all alarms;
- false alarms: alarms on normal passages and on passages that match no carrier, as a share of
  the normal passages;
- frame accuracy: decided frames of matched passages against the truth's bar angle, where the
  angle is clearly open or closed (``models.synthetic.samples.label_of``);
- visible violations: the violations whose bar is at least ``VISIBLE_MIN`` in sight at
  departure (the truth's ``bar_visible``; 1 when absent), and how many of those were alarmed:
  a bar hidden by the carrier in front cannot be judged from any picture.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from models.synthetic.samples import label_of
from service.config.alarm import AlarmConfig

VISIBLE_MIN = 0.5  # share of the bar in sight at departure for a violation to count as visible


class ScoreInputError(ValueError):
    """A truth or result file that cannot be scored; the message names the file and the fault."""


@dataclass(frozen=True)
class Score:
    """Counts of one or more scored replays (add them up with ``+``) and the rates they give."""

    truth_passages: int = 0
    violations: int = 0
    matched: int = 0
    missed_passages: int = 0
    spurious_passages: int = 0
    alarms: int = 0
    alarmed_violations: int = 0
    false_alarms: int = 0
    frames_scored: int = 0
    frames_correct: int = 0
    departure_error_sum: int = 0
    visible_violations: int = 0
    alarmed_visible_violations: int = 0

    def __add__(self, other: Score) -> Score:
        return Score(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def normal_passages(self) -> int:
        return self.truth_passages - self.violations

    @property
    def recall(self) -> float | None:
        return self.alarmed_violations / self.violations if self.violations else None

    @property
    def visible_recall(self) -> float | None:
        v = self.visible_violations
        return self.alarmed_visible_violations / v if v else None

    @property
    def precision(self) -> float | None:
        return self.alarmed_violations / self.alarms if self.alarms else None

    @property
    def false_alarm_rate(self) -> float | None:
        return self.false_alarms / self.normal_passages if self.normal_passages else None

    @property
    def frame_accuracy(self) -> float | None:
        return self.frames_correct / self.frames_scored if self.frames_scored else None

    @property
    def mean_departure_error(self) -> float | None:
        return self.departure_error_sum / self.matched if self.matched else None

    def to_dict(self) -> dict[str, Any]:
        rates = ("recall", "visible_recall", "precision", "false_alarm_rate", "frame_accuracy")
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["normal_passages"] = self.normal_passages
        data.update({r: _round(getattr(self, r)) for r in rates})
        data["mean_departure_error"] = _round(self.mean_departure_error)
        return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 5)


def load_json(path: Path, what: str) -> dict[str, Any]:
    """A JSON object from ``path``; a ScoreInputError naming the file otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScoreInputError(f"{what} file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScoreInputError(f"{what} file {path} is not readable JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("passages"), list):
        raise ScoreInputError(f"{what} file {path} has no 'passages' list")
    return data


def _passages(data: dict[str, Any], keys: tuple[str, ...], path: Path) -> list[dict[str, Any]]:
    out = []
    for k, p in enumerate(data["passages"]):
        missing = [key for key in keys if not isinstance(p, dict) or key not in p]
        if missing:
            raise ScoreInputError(f"{path}: passage #{k} lacks {', '.join(missing)}")
        out.append(p)
    return out


TRUTH_KEYS = ("passage", "first_frame", "last_frame", "departure_frame", "violation")
RESULT_KEYS = ("passage", "departure_frame", "alarm")


def match(
    truth: list[dict[str, Any]], result: list[dict[str, Any]], tolerance: int
) -> list[tuple[int, int]]:
    """One-to-one (truth index, result index) pairs by departure frame, nearest first."""
    pairs = sorted(
        (abs(t["departure_frame"] - r["departure_frame"]), i, j)
        for i, t in enumerate(truth)
        for j, r in enumerate(result)
        if abs(t["departure_frame"] - r["departure_frame"]) <= tolerance
    )
    used_t: set[int] = set()
    used_r: set[int] = set()
    matched = []
    for _, i, j in pairs:
        if i not in used_t and j not in used_r:
            used_t.add(i)
            used_r.add(j)
            matched.append((i, j))
    return sorted(matched)


def _frames(truth: dict[str, Any], result: dict[str, Any]) -> tuple[int, int]:
    """(scored, correct) decided frames of one matched passage."""
    angles = truth.get("bar_angles")
    if not isinstance(angles, list):
        return 0, 0
    first, scored, correct = truth["first_frame"], 0, 0
    for f in result.get("frames", []):
        k = f.get("frame", -1) - first if isinstance(f, dict) else -1
        label = label_of(float(angles[k])) if 0 <= k < len(angles) else None
        if label is not None:
            scored += 1
            correct += f.get("state") == label
    return scored, correct


def _visible(truth: dict[str, Any]) -> bool:
    """Whether the truth passage's bar is in sight at departure (older truths: assumed so)."""
    share = truth.get("bar_visible", 1.0)
    return not isinstance(share, int | float) or share >= VISIBLE_MIN


def score(truth_data: dict[str, Any], result_data: dict[str, Any], tolerance: int) -> Score:
    """Score one replay's result against its truth (both as loaded JSON)."""
    truth = _passages(truth_data, TRUTH_KEYS, Path("truth"))
    result = _passages(result_data, RESULT_KEYS, Path("result"))
    pairs = match(truth, result, tolerance)
    matched_r = {j for _, j in pairs}
    alarmed_violations = sum(bool(result[j]["alarm"]) and truth[i]["violation"] for i, j in pairs)
    alarmed_visible = sum(
        bool(result[j]["alarm"]) and truth[i]["violation"] and _visible(truth[i]) for i, j in pairs
    )
    false_matched = sum(bool(result[j]["alarm"]) and not truth[i]["violation"] for i, j in pairs)
    spurious = [r for j, r in enumerate(result) if j not in matched_r]
    frames = [_frames(truth[i], result[j]) for i, j in pairs]
    return Score(
        truth_passages=len(truth),
        violations=sum(bool(t["violation"]) for t in truth),
        matched=len(pairs),
        missed_passages=len(truth) - len(pairs),
        spurious_passages=len(spurious),
        alarms=sum(bool(r["alarm"]) for r in result),
        alarmed_violations=alarmed_violations,
        false_alarms=false_matched + sum(bool(r["alarm"]) for r in spurious),
        frames_scored=sum(s for s, _ in frames),
        frames_correct=sum(c for _, c in frames),
        departure_error_sum=sum(
            abs(truth[i]["departure_frame"] - result[j]["departure_frame"]) for i, j in pairs
        ),
        visible_violations=sum(bool(t["violation"]) and _visible(t) for t in truth),
        alarmed_visible_violations=alarmed_visible,
    )


def default_tolerance(fps: float) -> int:
    """Frames a departure may be off and still be the same carrier: half a second."""
    return max(2, round(0.5 * fps))


def score_files(
    truth_path: Path,
    result_path: Path,
    tolerance: int | None = None,
    rule: AlarmConfig | None = None,
) -> Score:
    """Score ``result_path`` (a replay result) against ``truth_path`` (a truth.json); with
    ``rule``, its passages judged again under that alarm rule first (``rejudge``)."""
    truth = load_json(truth_path, "truth")
    result = load_json(result_path, "result")
    fps = truth.get("fps", result.get("fps", 15))
    if not isinstance(fps, int | float) or fps <= 0:
        raise ScoreInputError(f"truth file {truth_path} has no positive 'fps'")
    _passages(truth, TRUTH_KEYS, truth_path)
    _passages(result, RESULT_KEYS, result_path)
    if rule is not None:  # imported here: judging imports the inference package (torch)
        from service.pipeline.rejudge import RecordError, rejudge

        try:
            result = rejudge(result, rule)
        except RecordError as exc:
            raise ScoreInputError(f"result file {result_path}: {exc}") from None
    return score(truth, result, default_tolerance(fps) if tolerance is None else tolerance)
