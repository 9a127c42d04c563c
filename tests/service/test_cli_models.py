"""``liftwatch train``, ``evaluate`` and ``export`` on a tiny preset, through typer's runner."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from tests.models.train.helpers import TINY

runner = CliRunner()
FAST = ["--input-size", "64", "--threads", "1", "--workers", "1"]


def flat(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    args = ["train", "siamese-fast", "--data", TINY, "--out", str(out), "--epochs", "2", *FAST]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "epoch 2: loss" in result.output and "best val accuracy" in flat(result.output)
    return out


def test_train_writes_checkpoints_and_log(trained: Path) -> None:
    assert (trained / "best.pt").is_file() and (trained / "last.pt").is_file()
    log = [json.loads(x) for x in (trained / "log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in log] == [1, 2]


def test_train_resumes(trained: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    for name in ("last.pt", "best.pt", "log.jsonl"):
        (run / name).write_bytes((trained / name).read_bytes())
    args = [
        "train",
        "siamese-fast",
        "--data",
        TINY,
        "--out",
        str(run),
        "--epochs",
        "3",
        "--resume",
        *FAST,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "epoch 3:" in result.output and "epoch 1:" not in result.output
    log = [json.loads(x) for x in (run / "log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in log] == [1, 2, 3]


def test_evaluate_and_export(trained: Path, tmp_path: Path) -> None:
    weights = str(trained / "best.pt")
    args = [
        "evaluate",
        "siamese-fast",
        "--weights",
        weights,
        "--data",
        TINY,
        "--out",
        str(tmp_path / "eval"),
        "--workers",
        "1",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Average" in result.output and "Overall" in result.output
    assert "average (mean of lifts)" in flat(result.output)
    rows = json.loads((tmp_path / "eval" / "accuracy.json").read_text())["rows"]
    assert [r["name"] for r in rows] == ["S1", "S2", "Average", "Overall"]
    assert (tmp_path / "eval" / "embedding_lifts.png").is_file()

    onnx = tmp_path / "model.onnx"
    result = runner.invoke(
        app, ["export", "siamese-fast", "--weights", weights, "--out", str(onnx)]
    )
    assert result.exit_code == 0, result.output
    assert onnx.is_file() and (tmp_path / "model.json").is_file()
    assert "max abs difference" in flat(result.output)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "alexnet", "--data", TINY, "--out", "{tmp}"], "unknown model 'alexnet'"),
        (
            ["train", "siamese-fast", "--data", "synthetic:tiny", "--out", "{tmp}"],
            "unknown preset variant 'tiny'",
        ),
        (
            ["train", "siamese-fast", "--data", "synthetic:small:seed=x", "--out", "{tmp}"],
            "seed must be an integer",
        ),
        (["train", "siamese-fast", "--data", "{tmp}/none", "--out", "{tmp}"], "does not exist"),
        (
            ["train", "getnet", "--data", TINY, "--out", "{tmp}", "--model-arg", "depth=3"],
            "getnet takes no such argument",
        ),
        (
            ["train", "getnet", "--data", TINY, "--out", "{tmp}", "--model-arg", "localiser=x"],
            "localiser must be regress or heatmap",
        ),
        (
            ["train", "siamese-fast", "--data", TINY, "--out", "{tmp}", "--optimizer", "lbfgs"],
            "optimizer must be one of sgd, adam",
        ),
        (
            ["train", "siamese-fast", "--data", TINY, "--out", "{tmp}", "--lifts", "1-x"],
            "lifts must read like",
        ),
        (
            [
                "evaluate",
                "siamese-fast",
                "--weights",
                "{tmp}/none.pt",
                "--data",
                TINY,
                "--out",
                "{tmp}",
            ],
            "does not exist",
        ),
        (
            [
                "evaluate",
                "siamese-fast",
                "--weights",
                "{tmp}/junk.pt",
                "--data",
                TINY,
                "--out",
                "{tmp}",
            ],
            "not a liftwatch checkpoint",
        ),
        (
            [
                "evaluate",
                "vgg16",
                "--weights",
                "{tmp}/junk.pt",
                "--data",
                TINY,
                "--out",
                "{tmp}",
                "--unseen",
            ],
            "not a liftwatch checkpoint",
        ),
        (
            ["export", "resnet18", "--weights", "{tmp}/junk.pt", "--out", "{tmp}/m.onnx"],
            "unknown model 'resnet18'",
        ),
        (
            ["export", "siamese-fast", "--weights", "{tmp}/junk.pt", "--out", "{tmp}/m.onnx"],
            "not a liftwatch checkpoint",
        ),
    ],
)
def test_bad_inputs_exit_2_with_one_clear_line(
    args: list[str], message: str, tmp_path: Path
) -> None:
    (tmp_path / "junk.pt").write_text("{}")
    result = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and message in flat(result.output)
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_wrong_model_for_the_weights(trained: Path, tmp_path: Path) -> None:
    args = [
        "export",
        "siamese-paper",
        "--weights",
        str(trained / "best.pt"),
        "--out",
        str(tmp_path / "m.onnx"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "holds a 'siamese-fast' model, not 'siamese-paper'" in flat(result.output)
