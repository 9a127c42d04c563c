"""``liftwatch explain evaluate`` and ``explain image`` through typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest
import torch
from typer.testing import CliRunner

from models.zoo import create_model
from models.zoo.checkpoint import save_checkpoint
from service.cli import app
from tests.models.explain.helpers import SIZE, write_set

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    write_set(tmp_path / "data")
    return tmp_path / "data"


@pytest.mark.slow
def test_evaluate_writes_json_markdown_and_examples(data: Path, tmp_path: Path) -> None:
    torch.manual_seed(0)
    classifier = save_checkpoint(
        create_model("classifier-fast", input_size=(32, 32), width=0.25), tmp_path / "c.pt"
    )
    out, md, png = tmp_path / "r.json", tmp_path / "r.md", tmp_path / "ex.png"
    args = ["explain", "evaluate", "--data", str(data), "--out", str(out), "--threads", "1"]
    args += ["--classifier", str(classifier), "--markdown", str(md), "--examples", str(png)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert set(report["overall"]) == {"dist-cam", "cam", "random"}
    assert report["methods"]["dist-cam"] == "Dist-CAM siamese-fast"
    assert report["overall"]["dist-cam"]["images"] == 2 and report["skipped_no_bar"] == {"1": 1}
    assert report["pointing_tolerance_px"] == 15 and report["iou_threshold"] == 0.5
    assert "| Dist-CAM siamese-fast | 2 |" in md.read_text()
    picture = cv2.imread(str(png))
    assert picture is not None and picture.shape[1] == 5 * SIZE  # image, bar, three overlays


def test_image_writes_an_overlay(data: Path, tmp_path: Path) -> None:
    masks = data / "lifts/L01/masks"
    out = tmp_path / "one.png"
    args = ["explain", "image", "--image", str(data / "lifts/L01/test/00000.jpg")]
    args += ["--open", str(masks / "open.png"), "--closed", str(masks / "closed.png")]
    result = runner.invoke(app, [*args, "--out", str(out), "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert "predicted" in result.output
    picture = cv2.imread(str(out))
    assert picture is not None and picture.shape == (SIZE, SIZE, 3)


def test_user_errors_are_one_line(data: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "r.json")
    missing = runner.invoke(app, ["explain", "evaluate", "--data", str(tmp_path), "--out", out])
    assert missing.exit_code == 2 and "error:" in missing.output
    assert "Traceback" not in missing.output
    bad_model = runner.invoke(
        app,
        ["explain", "evaluate", "--data", str(data), "--out", out, "--siamese", "nope.onnx"],
    )
    assert bad_model.exit_code == 2 and "nope.onnx" in bad_model.output
    no_image = runner.invoke(
        app,
        ["explain", "image", "--image", "x.jpg", "--open", "o", "--closed", "c", "--out", out],
    )
    assert no_image.exit_code == 2 and "x.jpg" in no_image.output
