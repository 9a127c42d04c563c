"""``liftwatch train``'s loss options: bad combinations end in one clear error line."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.train.config import TrainConfig
from service.cli import app
from service.cli_models import train_cmd
from tests.models.train.helpers import TINY

runner = CliRunner()


def flat(output: str) -> str:
    return " ".join(output.split())


@pytest.mark.parametrize(
    ("model", "options", "message"),
    [
        ("classifier-paper", ["--loss", "triplet"], "needs a siamese model; classifier-paper"),
        ("siamese-fast", ["--loss", "hinge"], "loss must be one of contrastive, triplet"),
        ("siamese-fast", ["--hard-mining"], "hard_mining (--hard-mining) needs loss 'triplet'"),
        ("siamese-fast", ["--loss", "triplet", "--margin", "0"], "margin must be > 0"),
        ("siamese-fast", ["--loss", "triplet", "--warmup-epochs", "-1"], "warmup-epochs"),
        ("siamese-fast", ["--loss", "triplet", "--balanced-mining"], "needs hard_mining"),
    ],
)
def test_bad_loss_options_exit_2_before_loading_data(
    model: str, options: list[str], message: str, tmp_path: Path
) -> None:
    args = ["train", model, "--data", TINY, "--out", str(tmp_path / "run"), *options]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in flat(result.output) and "Traceback" not in result.output
    assert not (tmp_path / "run").exists()  # refused before any image was made


def test_train_has_the_triplet_options() -> None:
    names = set(inspect.signature(train_cmd).parameters)
    wanted = {"loss", "margin", "hard_mining", "warmup_epochs", "hard_band", "balanced_mining"}
    assert wanted <= names
    # and each one reaches TrainConfig under the same name
    assert wanted <= {f.name for f in dataclasses.fields(TrainConfig)}
