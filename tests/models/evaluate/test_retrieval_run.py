"""Retrieval of a trained hashing model end to end: tables, ONNX codes, CLI errors, guards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from models.evaluate.hash_codes import load_hasher, split_codes
from models.evaluate.retrieval_run import run_retrieval
from models.evaluate.run import EvaluationError, load_model
from models.train.data import from_directory
from models.zoo import create_model
from models.zoo.checkpoint import save_checkpoint
from models.zoo.errors import CheckpointError
from models.zoo.export import export_onnx
from service.cli import app
from tests.models.train.hashing_data import PER_SPLIT, write_tiny_dataset


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(data directory, checkpoint, ONNX export) of an untrained hashing-dlbhc at 32×32."""
    root = tmp_path_factory.mktemp("retrieval")
    data_dir = write_tiny_dataset(root / "data")
    torch.manual_seed(0)
    model = create_model("hashing-dlbhc", input_size=32, num_classes=4).eval()
    checkpoint = save_checkpoint(model, root / "best.pt")
    onnx = export_onnx(model, root / "hashing.onnx")
    return data_dir, checkpoint, onnx


def test_tables_for_every_class(trained: tuple[Path, Path, Path], tmp_path: Path) -> None:
    data_dir, checkpoint, onnx = trained
    data = from_directory(data_dir)
    models = [("hashing-dlbhc", checkpoint), ("hashing-dlbhc", onnx)]
    results, files = run_retrieval(models, data, tmp_path)
    assert results[0].per_class == results[1].per_class  # torch and ONNX agree
    assert set(results[0].queries) == {0, 1, 2, 3}
    assert sum(results[0].queries.values()) == 2 * PER_SPLIT and results[0].database == 8
    text = files["markdown"].read_text()
    assert "| L02 open | 2 |" in text and "Top-50 hashing-dlbhc" in text
    body = json.loads(files["json"].read_text())
    assert body["queries"] == "test" and body["database"] == "train"
    scores = body["models"]["hashing-dlbhc"]
    assert set(scores["classes"]) == {"L01 closed", "L01 open", "L02 closed", "L02 open"}
    assert 0.0 <= scores["overall"]["map@10"] <= 100.0


def test_codes_are_bits_of_every_image(trained: tuple[Path, Path, Path]) -> None:
    data_dir, checkpoint, _ = trained
    codes = split_codes(
        load_hasher("hashing-dlbhc", checkpoint), from_directory(data_dir).split("val")
    )
    assert codes.shape == (2 * PER_SPLIT, 48) and codes.dtype == np.uint8
    assert set(np.unique(codes)) <= {0, 1}


def test_wrong_weights_are_named(trained: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, checkpoint, onnx = trained
    with pytest.raises(CheckpointError, match="hashing-psp"):
        load_hasher("hashing-psp", checkpoint)
    with pytest.raises(CheckpointError, match="do not exist"):
        load_hasher("hashing-psp", tmp_path / "none.pt")
    with pytest.raises(EvaluationError, match="liftwatch retrieval"):
        load_model("hashing-dlbhc", checkpoint)
    with pytest.raises(EvaluationError, match="liftwatch retrieval"):
        load_model("hashing-dlbhc", onnx)


@pytest.mark.parametrize(
    ("option", "message"),
    [("hashing-psp", "NAME=WEIGHTS"), ("siamese-fast=x.pt", "not a hashing model")],
)
def test_cli_errors_are_one_line(
    trained: tuple[Path, Path, Path], option: str, message: str
) -> None:
    data_dir = trained[0]
    result = CliRunner().invoke(
        app, ["retrieval", "--data", str(data_dir), "--out", "/tmp/x", "--model", option]
    )
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_cli_writes_the_tables(trained: tuple[Path, Path, Path], tmp_path: Path) -> None:
    data_dir, checkpoint, _ = trained
    args = ["retrieval", "--data", str(data_dir), "--out", str(tmp_path), "--threads", "1"]
    result = CliRunner().invoke(app, [*args, "--model", f"hashing-dlbhc={checkpoint}"])
    assert result.exit_code == 0, result.output
    assert "hashing-dlbhc: mAP@10" in result.output
    assert (tmp_path / "retrieval.md").is_file() and (tmp_path / "retrieval.json").is_file()
