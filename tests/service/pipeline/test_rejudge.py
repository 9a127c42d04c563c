"""Replayed passages judged again under another alarm rule, and `liftwatch score --rule`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.config.alarm import AlarmConfig
from service.pipeline.rejudge import RuleError, parse_rule, rejudge

runner = CliRunner()


def _frame(frame: int, signed: float) -> dict[str, Any]:
    """A decided frame whose ``d_closed - d_open`` is ``signed`` (> 0: open)."""
    d_open, d_closed = 1.0, 1.0 + signed
    state = "open" if signed > 0 else "closed"
    return {
        "frame": frame,
        "state": state,
        "d_open": d_open,
        "d_closed": d_closed,
        "margin": abs(signed),
    }


# departure 50: two weakly open frames among clearly closed ones (mean -0.2); departure 150: a
# clearly open bar; the replay raised both (the rule before min_mean_margin)
RESULT = {
    "fps": 10,
    "passages": [
        {
            "passage": 0,
            "departure_frame": 50,
            "alarm": True,
            "state": "open",
            "frames": [
                _frame(50 + d, s)
                for d, s in zip(range(-3, 4), (-0.5, -0.5, 0.1, 0.2, -0.4, -0.2, -0.1), strict=True)
            ],
        },
        {
            "passage": 1,
            "departure_frame": 150,
            "alarm": True,
            "state": "open",
            "frames": [_frame(150 + d, 0.9) for d in range(-3, 4)],
        },
    ],
}
TRUTH = {
    "fps": 10,
    "frames": 300,
    "passages": [
        {
            "passage": 0,
            "first_frame": 40,
            "last_frame": 60,
            "departure_frame": 50,
            "violation": False,
        },
        {
            "passage": 1,
            "first_frame": 140,
            "last_frame": 160,
            "departure_frame": 150,
            "violation": True,
        },
    ],
}


def test_passages_are_judged_again_from_their_frames() -> None:
    default = rejudge(RESULT, AlarmConfig())
    assert [p["alarm"] for p in default["passages"]] == [False, True]
    assert default["passages"][0]["state"] == "closed"
    assert default["passages"][0]["open_frames"] == 2
    assert default["passages"][0]["judged_frames"] == 7
    before = rejudge(RESULT, AlarmConfig(min_mean_margin=None))
    assert [p["alarm"] for p in before["passages"]] == [True, True]
    assert RESULT["passages"][0]["alarm"] is True  # the result itself is left as it was


def test_rules_are_parsed_and_bad_ones_named() -> None:
    assert parse_rule(["open_frames_min=3", "min_mean_margin=null"]) == AlarmConfig(
        open_frames_min=3, min_mean_margin=None
    )
    assert parse_rule([]) == AlarmConfig()
    for item, message in [
        ("colour=red", "colour: Extra inputs are not permitted"),
        ("open_frames_min", "expected KEY=VALUE"),
        ("open_frames_min=9", "could never be raised"),
        ("min_margin=[", "is not a value"),
        ("min_mean_margin=5", "min_mean_margin: Input should be less than or equal to 2"),
    ]:
        with pytest.raises(RuleError, match="alarm rule") as caught:
            parse_rule([item])
        assert message in str(caught.value)


def test_score_with_a_rule(tmp_path: Path) -> None:
    result, truth = tmp_path / "r.json", tmp_path / "truth.json"
    result.write_text(json.dumps(RESULT))
    truth.write_text(json.dumps(TRUTH))
    args = ["score", str(result), "--truth", str(truth)]
    recorded = runner.invoke(app, args)
    assert recorded.exit_code == 0 and "false alarms: 1 on 1" in recorded.output
    again = runner.invoke(app, [*args, "--rule", "min_mean_margin=-0.1"])
    assert again.exit_code == 0 and "false alarms: 0 on 1" in again.output
    assert "1/1 alarmed" in again.output
    bad = runner.invoke(app, [*args, "--rule", "colour=red"])
    assert bad.exit_code == 2 and "alarm rule colour=red" in bad.output
    assert "Traceback" not in bad.output
    # a result whose frames lack their distances: named, not a traceback
    broken = {**RESULT, "passages": [{**RESULT["passages"][0], "frames": [{"frame": 50}]}]}
    result.write_text(json.dumps(broken))
    failed = runner.invoke(app, [*args, "--rule", "open_frames_min=1"])
    assert failed.exit_code == 2 and "Traceback" not in failed.output
    assert "passage 0: its frames cannot be judged again" in " ".join(failed.output.split())
