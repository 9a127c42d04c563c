"""The command lines of a job's steps carry the request's options."""

from __future__ import annotations

from pathlib import Path

from service.api.schemas.jobs import TrainRequest
from service.jobs.commands import liftwatch_commands
from service.jobs.types import JobRecord


def _train_job(**options: object) -> JobRecord:
    body = TrainRequest.model_validate(
        {"model": "siamese-fast", "data": "synthetic:small"} | options
    )
    params = body.model_dump(exclude={"model"})
    return JobRecord("j1", "train", "siamese-fast", "queued", params, [], 0.0)


def test_leave_lifts_out_options_reach_liftwatch_train(tmp_path: Path) -> None:
    job = _train_job(train_lifts="seen", val_lifts=3, augment_lifts=True, epochs=2)
    train, export = liftwatch_commands(job, tmp_path)
    assert train[train.index("--train-lifts") + 1] == "seen"
    assert train[train.index("--val-lifts") + 1] == "3"
    assert "--augment-lifts" in train and "--no-augment" not in train
    assert train[train.index("--epochs") + 1] == "2"
    assert export[export.index("--out") + 1] == str(tmp_path / "model.onnx")


def test_defaults_train_on_every_lift_without_lift_warps(tmp_path: Path) -> None:
    train, _ = liftwatch_commands(_train_job(augment=False), tmp_path)
    assert train[train.index("--train-lifts") + 1] == "all"
    assert "--augment-lifts" not in train and "--no-augment" in train


def test_a_time_budget_reaches_liftwatch_train(tmp_path: Path) -> None:
    train, _ = liftwatch_commands(_train_job(max_minutes=4.5, val_lifts=10), tmp_path)
    assert train[train.index("--max-minutes") + 1] == "4.5"
    assert train[train.index("--val-lifts") + 1] == "10"  # any run's lifts, not only seen
    assert "--max-minutes" not in liftwatch_commands(_train_job(), tmp_path)[0]


def test_weight_averaging_reaches_liftwatch_train(tmp_path: Path) -> None:
    train, _ = liftwatch_commands(_train_job(ema=0.998), tmp_path)
    assert train[train.index("--ema") + 1] == "0.998"
    assert "--ema" not in liftwatch_commands(_train_job(), tmp_path)[0]
