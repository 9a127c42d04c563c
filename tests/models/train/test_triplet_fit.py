"""Triplet training through ``fit`` and the options' validation in ``TrainConfig``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.train.config import TrainConfig
from models.train.fit import FitResult, TrainError, fit
from models.train.state import ResumeError
from models.zoo.checkpoint import load_checkpoint
from tests.models.train.helpers import tiny_config, tiny_data


def _triplet_config(**kw: object) -> TrainConfig:
    base: dict[str, object] = {
        "input_size": 32,
        "loss": "triplet",
        "hard_mining": True,
        "warmup_epochs": 1,
        "epochs": 2,
    }
    return tiny_config(**(base | kw))


@pytest.fixture(scope="module")
def triplet_run(tmp_path_factory: pytest.TempPathFactory) -> FitResult:
    return fit("siamese-fast", tiny_data(), _triplet_config(), tmp_path_factory.mktemp("tri"))


@pytest.mark.slow  # a 2-epoch run: a few seconds, more on busy cores
def test_hard_cases_are_logged_for_refinement_epochs_only(triplet_run: FitResult) -> None:
    lines = (triplet_run.out_dir / "log.jsonl").read_text().splitlines()
    log = [json.loads(line) for line in lines]
    assert [r["epoch"] for r in log] == [1, 2]
    assert "hard_cases" not in log[0] and "violating" not in log[0]  # warm-up
    assert 32 <= log[1]["hard_cases"] <= 200  # at least one batch, at most every image
    assert 0 <= log[1]["violating"] <= 200
    # 200 images in batches of 32: 7 updates of warm-up, then one per mined batch
    assert log[1]["iterations"] - log[0]["iterations"] == -(-log[1]["hard_cases"] // 32)


@pytest.mark.slow  # a 2-epoch run: a few seconds, more on busy cores
def test_the_loss_options_are_saved_and_a_resume_must_keep_them(
    triplet_run: FitResult,
) -> None:
    saved = load_checkpoint(triplet_run.last_path).extra["train_config"]
    assert saved["loss"] == "triplet" and saved["hard_mining"] is True
    assert saved["warmup_epochs"] == 1 and saved["hard_band"] is None
    changed = _triplet_config(loss="contrastive", hard_mining=False, epochs=3, resume=True)
    with pytest.raises(ResumeError, match="loss: was 'triplet', now 'contrastive'"):
        fit("siamese-fast", tiny_data(), changed, triplet_run.out_dir)


def test_triplet_on_a_classifier_is_refused_before_training(tmp_path: Path) -> None:
    with pytest.raises(TrainError, match="needs a siamese model; classifier-paper"):
        fit("classifier-paper", tiny_data(), _triplet_config(), tmp_path)
    assert not (tmp_path / "config.json").exists()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"loss": "hinge"}, "loss must be one of contrastive, triplet"),
        ({"hard_mining": True}, "hard_mining"),
        ({"loss": "triplet", "warmup_epochs": -1}, "warmup_epochs"),
        ({"loss": "triplet", "hard_band": -0.1}, "hard_band"),
        ({"loss": "triplet", "balanced_mining": True}, "balanced_mining"),
    ],
)
def test_bad_loss_options_name_the_field(options: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        TrainConfig(**options)  # type: ignore[arg-type]


def test_model_kind_check_and_defaults() -> None:
    TrainConfig(loss="triplet").check_model_kind("siamese-paper", "siamese")
    TrainConfig().check_model_kind("classifier-paper", "classifier")
    with pytest.raises(ValueError, match="loss 'triplet'"):
        TrainConfig(loss="triplet").check_model_kind("vgg16", "classifier")
    # a run saved before these options existed ran contrastive: resuming it stays allowed
    old = {k: v for k, v in TrainConfig().to_dict().items() if k not in ("loss", "hard_mining")}
    assert TrainConfig().differences(old) == []
    assert TrainConfig(loss="triplet").differences(old) == [
        "loss: was 'contrastive', now 'triplet'"
    ]
