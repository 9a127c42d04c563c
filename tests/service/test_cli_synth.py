import json
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def test_synth_dataset_on_a_tiny_set(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    args = ["synth", "dataset", "--out", str(out), "--lifts", "2", "--test-scale", "0.01",
            "--workers", "1", "--seed", "7"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["spec"]["seed"] == 7 and manifest["spec"]["lifts"] == [1, 2]
    assert manifest["images"] == 2 * 100 + 2 * 100 + 9 + 7  # train + val + 1 % of test
    assert (out / "contact_sheet.png").stat().st_size > 10_000
    assert (out / "lifts" / "L02" / "masks" / "closed.png").is_file()


def test_synth_dataset_rejects_bad_options(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "dataset", "--out", str(tmp_path), "--variant", "xl"])
    assert result.exit_code == 2
    assert "--variant must be one of small, large" in " ".join(result.output.split())
    result = runner.invoke(app, ["synth", "dataset", "--out", str(tmp_path), "--lifts", "0"])
    assert result.exit_code == 2
    (tmp_path / "notes.txt").write_text("keep me")
    result = runner.invoke(app, ["synth", "dataset", "--out", str(tmp_path), "--lifts", "1"])
    assert result.exit_code == 2 and "is not empty" in " ".join(result.output.split())
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_synth_video_on_a_tiny_station(tmp_path: Path) -> None:
    out = tmp_path / "station"
    args = ["synth", "video", "--lift", "3", "--passages", "2", "--out", str(out), "--fps", "15"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    truth = json.loads((out / "truth.json").read_text())
    assert truth["fps"] == 15 and len(truth["passages"]) == 2
    assert (out / "station.mp4").stat().st_size > 0 and (out / "station.yaml").is_file()


def test_synth_video_rejects_a_bad_lift(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "video", "--lift", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2
