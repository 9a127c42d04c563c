"""A train job's triplet options reach ``liftwatch train``; bad ones are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.api.schemas.jobs import TrainRequest
from service.jobs.commands import liftwatch_commands
from service.jobs.types import JobRecord


def _train_job(**options: object) -> JobRecord:
    body = TrainRequest.model_validate(
        {"model": "siamese-fast", "data": "synthetic:small"} | options
    )
    return JobRecord("j1", "train", "siamese-fast", "queued", body.model_dump(), [], 0.0)


def _value(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def test_triplet_options_reach_liftwatch_train(tmp_path: Path) -> None:
    job = _train_job(
        loss="triplet",
        hard_mining=True,
        balanced_mining=True,
        warmup_epochs=3,
        hard_band=0.25,
        margin=0.5,
    )
    train, _ = liftwatch_commands(job, tmp_path)
    assert _value(train, "--loss") == "triplet" and "--hard-mining" in train
    assert "--balanced-mining" in train
    assert _value(train, "--warmup-epochs") == "3" and _value(train, "--hard-band") == "0.25"
    assert _value(train, "--margin") == "0.5"


def test_defaults_train_contrastive_without_mining(tmp_path: Path) -> None:
    train, _ = liftwatch_commands(_train_job(), tmp_path)
    assert _value(train, "--loss") == "contrastive" and "--hard-mining" not in train
    assert "--balanced-mining" not in train
    for flag in ("--margin", "--warmup-epochs", "--hard-band"):
        assert flag not in train  # the CLI's defaults apply


def test_a_job_recorded_before_the_loss_options_still_builds(tmp_path: Path) -> None:
    params = {"data": "synthetic:small", "epochs": 2}
    train, _ = liftwatch_commands(
        JobRecord("j0", "train", "m", "queued", params, [], 0.0), tmp_path
    )
    assert "--loss" not in train and "--hard-mining" not in train


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"hard_mining": True}, "hard_mining"),
        ({"loss": "hinge"}, "loss"),
        ({"loss": "triplet", "margin": 0}, "margin"),
        ({"loss": "triplet", "warmup_epochs": -1}, "warmup_epochs"),
        ({"loss": "triplet", "hard_band": -1}, "hard_band"),
        ({"loss": "triplet", "balanced_mining": True}, "balanced_mining"),
    ],
)
def test_bad_options_are_refused_naming_the_field(options: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        TrainRequest.model_validate({"model": "siamese-fast", "data": "x"} | options)
    assert [e["loc"] for e in info.value.errors()] == [(field,)]
