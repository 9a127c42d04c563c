"""Replay of a short synthetic station video matches its ground truth; the CLI around it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from service.cli import app
from service.config import load_station_config
from service.pipeline.build import StationSetupError
from service.pipeline.models import EngineChoice, build_classifier
from service.pipeline.replay import replay
from service.pipeline.score import score_files
from tests.service.registration.station import Station

runner = CliRunner()


def test_replay_matches_the_truth(synthetic_station: Station, tmp_path: Path) -> None:
    folder = synthetic_station.directory
    config = load_station_config(folder / "station.yaml")
    classifier = build_classifier(EngineChoice(threads=1), {config.lift: folder / "masks"})
    result = replay(config, classifier)
    assert result.frames == synthetic_station.truth.frames
    result.write(tmp_path / "result.json")
    s = score_files(folder / "truth.json", tmp_path / "result.json")
    # 4 carriers, 3 leaving with the bar open: every one found, every violation alarmed
    assert (s.truth_passages, s.matched, s.spurious_passages) == (4, 4, 0)
    assert s.violations == 3 and s.recall == 1.0 and s.false_alarms == 0
    assert s.frame_accuracy is not None and s.frame_accuracy > 0.9
    assert s.mean_departure_error is not None and s.mean_departure_error <= 2
    data = json.loads((tmp_path / "result.json").read_text())
    first = data["passages"][0]
    assert set(first) >= {"passage", "first_frame", "last_frame", "departure_frame", "state"}
    frame = first["frames"][0]
    assert frame.keys() == {
        *("frame", "state", "d_open", "d_closed", "margin"),
        *("offset", "scale", "score"),
    }
    # every decided frame was aligned: where its crop was taken is known, near the reference
    placed = [f for p in data["passages"] for f in p["frames"]]
    assert all(
        len(f["offset"]) == 2 and f["score"] >= config.registration.min_score for f in placed
    )
    assert all(0.5 < f["scale"] < 2.0 for f in placed)
    assert data["summary"]["passages"] == 4 and data["summary"]["alarms"] == 3


def test_replay_refuses_a_video_of_another_camera(
    synthetic_station: Station, tmp_path: Path
) -> None:
    import cv2
    import numpy as np

    folder = synthetic_station.directory
    config = load_station_config(folder / "station.yaml")
    other = tmp_path / "other.avi"
    writer = cv2.VideoWriter(str(other), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    writer.write(np.zeros((48, 64, 3), np.uint8))
    writer.release()
    classifier = build_classifier(EngineChoice(threads=1), {config.lift: folder / "masks"})
    with pytest.raises(StationSetupError, match="not the same camera"):
        replay(config, classifier, other)
    with pytest.raises(StationSetupError, match="does not exist"):
        replay(config, classifier, tmp_path / "missing.mp4")


def test_cli_replay_and_score(synthetic_station: Station, tmp_path: Path) -> None:
    folder = synthetic_station.directory
    out = tmp_path / "result.json"
    args = ["replay", "--station", str(folder / "station.yaml"), "--out", str(out)]
    done = runner.invoke(app, [*args, "--threads", "1"])
    assert done.exit_code == 0, done.output
    assert "4 passages, 3 alarm(s)" in done.output
    scored = runner.invoke(app, ["score", str(out), "--truth", str(folder / "truth.json")])
    assert scored.exit_code == 0, scored.output
    assert "3/3 alarmed (recall 100.00 %" in scored.output


def test_cli_errors_are_one_line(synthetic_station: Station, tmp_path: Path) -> None:
    folder = synthetic_station.directory
    config = yaml.safe_load((folder / "station.yaml").read_text())
    lonely = tmp_path / "station.yaml"  # same station, but no masks beside it
    config["source"] = str(folder / "station.mp4")
    config["registration"]["reference"] = str(folder / "reference.png")
    lonely.write_text(yaml.safe_dump(config))
    out = tmp_path / "r.json"
    done = runner.invoke(app, ["replay", "--station", str(lonely), "--out", str(out)])
    assert done.exit_code == 2 and "no masks for lift lift-02" in done.output
    config["fps"] = "fast"
    lonely.write_text(yaml.safe_dump(config))
    done = runner.invoke(app, ["replay", "--station", str(lonely), "--out", str(out)])
    assert done.exit_code == 2 and "fps" in done.output and "Traceback" not in done.output
    done = runner.invoke(app, ["score", str(out), "--truth", str(folder / "truth.json")])
    assert done.exit_code == 2 and "does not exist" in done.output
