"""``liftwatch import-onnx``, then ``liftwatch train --init`` from what it wrote."""

from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from models.zoo import create_model
from models.zoo.export import export_onnx
from service.cli import app
from tests.models.train.helpers import TINY

runner = CliRunner()


def flat(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    model = create_model("siamese-fast", input_size=(64, 64)).eval()
    return export_onnx(model, tmp_path_factory.mktemp("shipped") / "fast.onnx")


def test_import_then_fine_tune(shipped: Path, tmp_path: Path) -> None:
    ckpt = tmp_path / "imported.pt"
    args = ["import-onnx", str(shipped), "--data", TINY, "--out", str(ckpt), "--images", "16"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert ckpt.is_file() and "16 BatchNorms calibrated on 16 images" in flat(result.output)
    run = tmp_path / "run"
    args = [
        "train", "siamese-fast", "--data", TINY, "--out", str(run), "--init", str(ckpt),
        "--epochs", "1", "--input-size", "64", "--threads", "1", "--workers", "1",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (run / "best.pt").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{onnx}", "--data", TINY, "--out", "{tmp}/x.onnx"], "--out must end in .pt"),
        (["{tmp}/none.onnx", "--data", TINY, "--out", "{tmp}/x.pt"], "does not exist"),
        (["{onnx}", "--data", "{tmp}/nowhere", "--out", "{tmp}/x.pt"], "does not exist"),
    ],
)
def test_bad_inputs_exit_2_with_one_clear_line(
    args: list[str], message: str, shipped: Path, tmp_path: Path
) -> None:
    filled = [a.replace("{tmp}", str(tmp_path)).replace("{onnx}", str(shipped)) for a in args]
    result = runner.invoke(app, ["import-onnx", *filled])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and message in flat(result.output)
    assert "Traceback" not in result.output
