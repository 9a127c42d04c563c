"""Replayed passages judged again under another alarm rule, from the frames they recorded.

A replay result keeps every decided frame of each passage (state, both distances, margin), so
a change to the alarm rule (``alarm:`` of a station config) can be measured on recorded replays
in seconds instead of replaying the videos: ``liftwatch score --rule KEY=VALUE ...``.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from pydantic import ValidationError

from service.alarms import judge_passage
from service.config.alarm import AlarmConfig
from service.inference.messages import FrameDecision


class RuleError(ValueError):
    """A ``KEY=VALUE`` alarm rule item that cannot be used; the message names it."""


class RecordError(ValueError):
    """A replayed passage whose recorded frames cannot be judged; the message names it."""


def parse_rule(items: list[str]) -> AlarmConfig:
    """An alarm rule from ``KEY=VALUE`` items (the keys of a station config's ``alarm:``,
    values read as YAML: ``null`` turns ``min_mean_margin`` off); the rest at their defaults."""
    values: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise RuleError(f"alarm rule {item!r}: expected KEY=VALUE, e.g. open_frames_min=3")
        try:
            values[key.strip()] = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            raise RuleError(f"alarm rule {item!r}: {text!r} is not a value") from exc
    try:
        return AlarmConfig(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'alarm'}: {e['msg']}" for e in exc.errors()
        )
        raise RuleError(f"alarm rule {' '.join(items)}: {problems}") from None


def _decision(frame: dict[str, Any]) -> FrameDecision:
    return FrameDecision(
        station_id="",
        lift="",
        frame=int(frame["frame"]),
        timestamp=0.0,
        passage=None,
        state=frame["state"],
        d_open=float(frame["d_open"]),
        d_closed=float(frame["d_closed"]),
        margin=float(frame["margin"]),
        model="",
        decided_at=0.0,
    )


def rejudge(result: dict[str, Any], rule: AlarmConfig) -> dict[str, Any]:
    """A copy of the replay ``result`` (loaded JSON) with every passage's ``alarm``, ``state``,
    ``open_frames`` and ``judged_frames`` from ``rule`` applied to its recorded frames."""
    again = copy.deepcopy(result)
    for passage in again.get("passages", []):
        try:
            decisions = {int(f["frame"]): _decision(f) for f in passage.get("frames", [])}
            departure = int(passage["departure_frame"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordError(
                f"passage {passage.get('passage')!r}: its frames cannot be judged again "
                f"(each needs frame, state, d_open, d_closed, margin): {exc!r}"
            ) from None
        verdict = judge_passage(decisions, departure, rule)
        passage.update(
            alarm=verdict.alarm,
            state=verdict.state,
            open_frames=verdict.open_frames,
            judged_frames=verdict.judged_frames,
        )
    return again
