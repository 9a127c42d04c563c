"""Tiny runs: 2 lifts, difficulty 0, 64×64 inputs, 1 to 3 epochs."""

import json
import time
from pathlib import Path

import pytest

from models.train.fit import FitResult, TrainError, fit, within_budget
from models.train.optim import decayed_lr
from models.zoo.checkpoint import load_checkpoint
from models.zoo.registry import UnknownModelError
from tests.models.train.helpers import TINY, held_out, tiny_config, tiny_data

LOG_KEYS = {"epoch", "loss", "val_accuracy", "lr", "seconds", "iterations", "best"}


@pytest.fixture(scope="module")
def fast_run(tmp_path_factory: pytest.TempPathFactory) -> FitResult:
    """siamese-fast, 2 epochs straight."""
    out = tmp_path_factory.mktemp("fast")
    return fit("siamese-fast", tiny_data(), tiny_config(epochs=2), out)


def read_log(out: Path) -> list[dict[str, float]]:
    return [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]


def test_siamese_fit_writes_checkpoints_and_a_log(fast_run: FitResult) -> None:
    out = fast_run.out_dir
    log = read_log(out)
    assert [r["epoch"] for r in log] == [1, 2] and set(log[0]) == LOG_KEYS
    assert log[0]["iterations"] == 7 and log[1]["iterations"] == 14  # 200 pairs / 32
    assert log[1]["lr"] == pytest.approx(decayed_lr(0.05, 1e-4, 14))
    assert all(0 <= r["val_accuracy"] <= 1 and r["loss"] > 0 for r in log)
    assert fast_run.last_epoch == 2 and fast_run.history == log and fast_run.device == "cpu"
    best = load_checkpoint(fast_run.best_path, expected_model="siamese-fast")
    assert best.config.input_size == (64, 64)
    assert best.extra["epoch"] == fast_run.best_epoch
    assert best.extra["val_accuracy"] == fast_run.best_val_accuracy
    assert best.extra["train_lifts"] == [1, 2] and best.extra["data"] == TINY
    last = load_checkpoint(fast_run.last_path).extra
    assert last["epoch"] == 2 and last["train_state"]["iterations"] == 14 and "optimizer" in last
    config = json.loads((out / "config.json").read_text())
    assert config["model"] == "siamese-fast" and config["lr"] == 0.05


def test_resume_continues_exactly_where_it_stopped(fast_run: FitResult, tmp_path: Path) -> None:
    first = fit("siamese-fast", tiny_data(), tiny_config(epochs=1), tmp_path)
    assert first.last_epoch == 1
    resumed = fit("siamese-fast", tiny_data(), tiny_config(epochs=2, resume=True), tmp_path)
    log = read_log(tmp_path)
    assert [r["epoch"] for r in log] == [1, 2] and resumed.last_epoch == 2
    straight = fast_run.history
    for a, b in zip(log, straight, strict=True):  # same numbers as the uninterrupted run
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-5)
        assert a["val_accuracy"] == b["val_accuracy"] and a["iterations"] == b["iterations"]


def test_resume_refuses_other_options_and_missing_runs(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nothing to resume"):
        fit("siamese-fast", tiny_data(), tiny_config(resume=True), tmp_path)
    fit("classifier-paper", tiny_data(), tiny_config(epochs=1, lifts=(1,)), tmp_path)
    with pytest.raises(ValueError, match="batch_size: was 32, now 16"):
        cfg = tiny_config(epochs=2, lifts=(1,), batch_size=16, resume=True)
        fit("classifier-paper", tiny_data(), cfg, tmp_path)
    with pytest.raises(ValueError, match="holds a 'classifier-paper' model"):
        fit("siamese-fast", tiny_data(), tiny_config(epochs=2, lifts=(1,), resume=True), tmp_path)


def test_classifier_fit_and_early_stopping(tmp_path: Path) -> None:
    # a learning rate of ~0 leaves the weights (and the validation accuracy) as they are:
    # epoch 1 is the best, epoch 2 is no better and patience 1 stops the run there
    cfg = tiny_config(epochs=10, patience=1, lr=1e-12, lifts=(1,))
    result = fit("classifier-paper", tiny_data(), cfg, tmp_path)
    assert result.stopped_early and result.last_epoch == 2 and result.best_epoch == 1
    log = read_log(tmp_path)
    assert [r["best"] for r in log] == [True, False]
    assert (tmp_path / "best.pt").is_file() and (tmp_path / "last.pt").is_file()
    assert load_checkpoint(tmp_path / "best.pt").extra["train_lifts"] == [1]


def test_seen_lifts_only_for_the_unseen_protocol(tmp_path: Path) -> None:
    data = held_out(tiny_data(), seen=(2,), unseen=(1,))
    result = fit("siamese-fast", data, tiny_config(epochs=1, train_lifts="seen"), tmp_path)
    assert load_checkpoint(result.best_path).extra["train_lifts"] == [2]
    with pytest.raises(ValueError, match="no held-out lifts"):
        fit("siamese-fast", tiny_data(), tiny_config(train_lifts="seen"), tmp_path)


def test_bad_runs_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError, match="known models"):
        fit("alexnet", tiny_data(), tiny_config(), tmp_path)
    with pytest.raises(TrainError, match="cannot build siamese-fast"):
        cfg = tiny_config(model_kwargs={"pretrained": "x.pt"})
        fit("siamese-fast", tiny_data(), cfg, tmp_path)
    with pytest.raises(TrainError, match="lower --lr"):
        fit("siamese-paper", tiny_data(), tiny_config(lr=1e6, lifts=(1,)), tmp_path)


def test_the_time_budget_starts_no_epoch_that_would_end_past_it(tmp_path: Path) -> None:
    now = time.perf_counter()
    assert within_budget(None, now - 1e6, 1e6)
    assert within_budget(1.0, now, 50.0) and not within_budget(1.0, now, 70.0)
    assert not within_budget(1.0, now - 30.0, 40.0)
    # a budget shorter than one epoch: the first epoch runs, the second is not started
    cfg = tiny_config(epochs=5, lifts=(1,), max_minutes=1e-4)
    result = fit("classifier-paper", tiny_data(), cfg, tmp_path)
    assert result.out_of_time and not result.stopped_early and result.last_epoch == 1
    assert [r["epoch"] for r in read_log(tmp_path)] == [1]
    assert (tmp_path / "best.pt").is_file() and (tmp_path / "last.pt").is_file()
    # the budget may change on resume; a generous one lets the run finish its epochs
    more = tiny_config(epochs=2, lifts=(1,), max_minutes=60.0, resume=True)
    resumed = fit("classifier-paper", tiny_data(), more, tmp_path)
    assert resumed.last_epoch == 2 and not resumed.out_of_time
    with pytest.raises(ValueError, match="max_minutes must be > 0"):
        tiny_config(max_minutes=0.0)


def test_init_starts_from_a_checkpoint_and_refuses_one_that_does_not_fit(tmp_path: Path) -> None:
    first = fit("classifier-paper", tiny_data(), tiny_config(epochs=2, lifts=(1,)), tmp_path / "a")
    # a learning rate of ~0 keeps the loaded weights: the validation is the checkpoint's
    cfg = tiny_config(epochs=1, lifts=(1,), lr=1e-12, init=str(first.best_path))
    tuned = fit("classifier-paper", tiny_data(), cfg, tmp_path / "b")
    assert tuned.best_val_accuracy == pytest.approx(first.best_val_accuracy, abs=1e-9)
    assert load_checkpoint(tuned.best_path).extra["train_config"]["init"] == str(first.best_path)
    with pytest.raises(TrainError, match="holds a 'classifier-paper' model"):
        fit("siamese-fast", tiny_data(), tiny_config(init=str(first.best_path)), tmp_path / "c")
    with pytest.raises(TrainError, match=r"its input is \(64, 64\), this run's \(32, 32\)"):
        cfg = tiny_config(input_size=32, init=str(first.best_path))
        fit("classifier-paper", tiny_data(), cfg, tmp_path / "d")
    with pytest.raises(TrainError, match="--init"):
        fit("classifier-paper", tiny_data(), tiny_config(init=str(tmp_path)), tmp_path / "e")
