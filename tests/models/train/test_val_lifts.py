"""Held-out-lift validation (``--val-lifts``): the split, masks-only validation, resume, errors.

Three lifts at difficulty 0 and 64×64 inputs (the tiny data holds two, one too few to hold one
out and keep two to train on).
"""

from __future__ import annotations

import functools
import importlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import models.train.lifts as lifts_module
from models.evaluate.predict import TorchPredictor, predict_split
from models.synthetic.dataset import DatasetSpec
from models.train.config import TrainConfig
from models.train.data import LiftData, from_spec, select
from models.train.fit import FitResult, fit
from models.train.lifts import (
    held_out_accuracy,
    held_out_images,
    pick_val_lifts,
    run_lifts,
    train_lifts_of,
)
from models.train.presets import DataSpecError
from models.zoo import create_model
from models.zoo.checkpoint import load_checkpoint
from service.cli import app
from tests.models.train.helpers import SIZE, TINY, held_out, tiny_config

# the module, not the function ``models.train.fit`` that models.train exports under its name
fit_module = importlib.import_module("models.train.fit")
THREE = "synthetic:small:lifts=3,difficulty=0,test_scale=0.02"
# the seen lifts of the 20-lift data set (data/world, leave-lifts-out seed 0)
WORLD_SEEN = (2, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19)


@functools.lru_cache(maxsize=1)
def three_lifts() -> LiftData:
    """Lifts 1..3, all seen (lift 99 stands for the held-out ones the protocol needs)."""
    spec = DatasetSpec(lifts=(1, 2, 3), difficulty=0.0, test_scale=0.02)
    return held_out(from_spec(spec, source=THREE), seen=(1, 2, 3), unseen=(99,))


def fake_data(seen: tuple[int, ...], unseen: tuple[int, ...] = (99,)) -> LiftData:
    """Lifts and masks without images: enough for the lift split, which loads none."""
    lifts = tuple(sorted(seen + unseen))
    mask = np.zeros((8, 8), np.uint8)
    masks = {k: (mask, mask) for k in lifts}

    def no_images(*_: object) -> Any:
        raise AssertionError("the lift split must not load images")

    return LiftData("fake", "small", lifts, masks, seen, unseen, no_images)


def swapped(data: LiftData, lifts: tuple[int, ...]) -> LiftData:
    """``data`` with the open and closed masks of ``lifts`` exchanged (same images)."""
    masks = {k: (m[1], m[0]) if k in lifts else m for k, m in data.masks.items()}
    return replace(data, masks=masks, _store=data._store)


def quarter_of_lift_3(data: LiftData) -> LiftData:
    """``data`` (lifts 2 and 3) with a quarter of lift 3's images, all of lift 2's."""

    def load(split: str, lifts: tuple[int, ...], _: object) -> Any:
        part = data.split(split)
        keep = (part.lifts == 2) | (np.arange(len(part)) % 4 == 0)
        return select(part, keep & np.isin(part.lifts, lifts))

    return LiftData("uneven", "small", (2, 3), data.masks, (2, 3), (), load)


def read_log(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]


# --- the split -------------------------------------------------------------------------------


def test_the_draw_is_deterministic_sorted_and_follows_the_seed() -> None:
    assert pick_val_lifts(WORLD_SEEN, 3, 1) == pick_val_lifts(WORLD_SEEN, 3, 1)
    # pinned: docs/ACCURACY.md names these lifts for the --seed 1 --val-lifts 3 run
    assert pick_val_lifts(WORLD_SEEN, 3, 1) == (6, 11, 15)
    assert pick_val_lifts(tuple(reversed(WORLD_SEEN)), 3, 1) == (6, 11, 15)  # order-free
    draws = {pick_val_lifts(WORLD_SEEN, 3, seed) for seed in range(10)}
    assert len(draws) > 5  # the seed matters
    for draw in draws:
        assert len(draw) == 3 == len(set(draw)) and list(draw) == sorted(draw)
        assert set(draw) <= set(WORLD_SEEN)
    assert pick_val_lifts(WORLD_SEEN, 0, 1) == ()


def test_the_115_lift_run_holds_out_the_lifts_its_docs_name() -> None:
    # pinned: docs/ACCURACY.md, "115 synthetic lifts", --lifts 2,4-7,9-12,14-19,21-120
    # --val-lifts 20 --seed 1
    trained = tuple(sorted(set(WORLD_SEEN) | set(range(21, 121))))
    assert len(trained) == 115
    named = (14, 22, 28, 45, 48, 49, 53, 56, 62, 66, 75, 76, 81, 89, 91, 97, 98, 100, 112, 120)
    assert pick_val_lifts(trained, 20, 1) == named


def test_run_lifts_are_disjoint_and_cover_the_seen_lifts_only() -> None:
    data = fake_data(seen=WORLD_SEEN, unseen=(1, 3, 8, 13, 20))
    split = run_lifts(data, tiny_config(train_lifts="seen", val_lifts=3, seed=1))
    assert split.val == (6, 11, 15)
    assert not set(split.train) & set(split.val)
    assert split.all == WORLD_SEEN and len(split.train) == 12
    assert not set(split.all) & set(data.unseen)  # the unseen lifts stay unseen
    assert run_lifts(data, tiny_config(train_lifts="seen", val_lifts=3, seed=1)) == split
    assert run_lifts(data, tiny_config(train_lifts="seen", seed=1)).val == ()
    assert run_lifts(data, tiny_config(train_lifts="seen")).train == WORLD_SEEN
    # --lifts narrows the lifts the draw is made from
    few = tiny_config(train_lifts="seen", val_lifts=1, lifts=(2, 4, 5, 13))
    narrowed = run_lifts(data, few)
    assert narrowed.all == (2, 4, 5) and len(narrowed.val) == 1
    assert train_lifts_of(data, few) == (2, 4, 5)


def test_without_the_seen_split_the_draw_is_made_from_the_run_lifts() -> None:
    data = fake_data(seen=WORLD_SEEN, unseen=(1, 3, 8, 13, 20))
    chosen = (2, 4, 5, 21, 22, 23, 24, 25)
    split = run_lifts(data, tiny_config(lifts=chosen, val_lifts=3, seed=1))
    assert split.all == chosen and split.val == pick_val_lifts(chosen, 3, 1)
    assert len(split.train) == 5 and not set(split.train) & set(split.val)
    everything = run_lifts(data, tiny_config(val_lifts=2))  # train_lifts "all": every lift
    assert everything.all == data.lifts and len(everything.val) == 2
    with pytest.raises(DataSpecError, match=r"--val-lifts 7 leaves 1 of the 8 lifts of the run"):
        run_lifts(data, tiny_config(lifts=chosen, val_lifts=7))


def test_bad_val_lifts_say_why() -> None:
    with pytest.raises(ValueError, match="val_lifts must be >= 0"):
        tiny_config(train_lifts="seen", val_lifts=-1)
    data = fake_data(seen=(1, 2, 3, 4))
    with pytest.raises(DataSpecError, match=r"--val-lifts 3 leaves 1 of the 4 seen lifts"):
        run_lifts(data, tiny_config(train_lifts="seen", val_lifts=3))
    with pytest.raises(DataSpecError, match="at most 2"):
        run_lifts(data, tiny_config(train_lifts="seen", val_lifts=4))
    assert len(run_lifts(data, tiny_config(train_lifts="seen", val_lifts=2)).train) == 2
    with pytest.raises(DataSpecError, match="no held-out lifts"):
        run_lifts(fake_data(seen=(1, 2, 3), unseen=()), tiny_config(train_lifts="seen"))


# --- masks-only validation -------------------------------------------------------------------


@pytest.fixture(scope="module")
def predictor() -> TorchPredictor:
    import torch

    torch.manual_seed(3)
    model = create_model("siamese-fast", input_size=(SIZE, SIZE))
    return TorchPredictor(model.eval())


def test_held_out_images_are_the_train_and_val_images_of_those_lifts_only() -> None:
    data = three_lifts().restrict((2, 3))
    images = held_out_images(data)
    assert len(images) == 400 and set(np.unique(images.lifts)) == {2, 3}  # 2 × (100 + 100)
    test = data.split("test")
    assert not any(np.array_equal(images.images[0], t) for t in test.images)


def test_validation_decides_each_image_by_its_own_lifts_masks(predictor: TorchPredictor) -> None:
    data = three_lifts().restrict((2, 3))
    a = held_out_accuracy(predictor, data.restrict((2,)))
    b = held_out_accuracy(predictor, data.restrict((3,)))
    assert held_out_accuracy(predictor, data) == pytest.approx((a + b) / 2)  # mean of lifts
    # every lift counts the same, whatever its number of images (lift 3 cut to a quarter)
    uneven = quarter_of_lift_3(data)
    c = held_out_accuracy(predictor, uneven.restrict((3,)))
    assert len(held_out_images(uneven)) == 250 and abs(a - c) > 0.01
    assert held_out_accuracy(predictor, uneven) == pytest.approx((a + c) / 2)
    # swapping lift 2's open and closed masks flips every decision of lift 2, and only those:
    # the masks decide, nothing else of the lift (no label, no other lift's masks)
    assert held_out_accuracy(predictor, swapped(data, (2,))) == pytest.approx((1 - a + b) / 2)
    assert held_out_accuracy(predictor, swapped(data, (2, 3))) == pytest.approx((2 - a - b) / 2)


# --- training with held-out lifts ------------------------------------------------------------


@pytest.fixture(scope="module")
def val_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[FitResult, list[Any]]:
    """2 epochs, lift 2 held out (seed 0) with its masks swapped; what make_task was given."""
    out = tmp_path_factory.mktemp("vallifts")
    seen: list[Any] = []
    real = fit_module.make_task

    def spy(*args: Any, **kw: Any) -> Any:
        seen.append(args)
        return real(*args, **kw)

    mp = pytest.MonkeyPatch()
    mp.setattr(fit_module, "make_task", spy)
    try:
        cfg = tiny_config(epochs=2, train_lifts="seen", val_lifts=1)
        result = fit("siamese-fast", swapped(three_lifts(), (2,)), cfg, out)
    finally:
        mp.undo()
    return result, seen


def test_the_held_out_lift_is_never_trained_on(val_run: tuple[FitResult, list[Any]]) -> None:
    result, seen = val_run
    assert result.val_lifts == pick_val_lifts((1, 2, 3), 1, 0) == (2,)
    (args,) = seen
    train, masks = args[1], args[2]
    assert set(np.unique(train.lifts)) == {1, 3} and set(masks) == {1, 3}
    best = load_checkpoint(result.best_path, expected_model="siamese-fast").extra
    assert best["train_lifts"] == [1, 3] and best["val_lifts"] == [2]
    config = json.loads((result.out_dir / "config.json").read_text())
    assert config["train_lifts"] == [1, 3] and config["val_lifts"] == [2]
    assert config["train_config"]["val_lifts"] == 1 and "masks only" in config["validation"]


def test_val_accuracy_is_the_held_out_lifts_masks_only_accuracy(
    val_run: tuple[FitResult, list[Any]],
) -> None:
    result, _ = val_run
    log = read_log(result.out_dir)
    assert [r["epoch"] for r in log] == [1, 2]
    best = load_checkpoint(result.best_path, expected_model="siamese-fast")
    held = swapped(three_lifts(), (2,)).restrict((2,))
    again = held_out_accuracy(TorchPredictor(best.model.eval()), held)
    assert result.best_val_accuracy == pytest.approx(again, abs=1e-9)
    assert log[result.best_epoch - 1]["val_accuracy"] == pytest.approx(again, abs=1e-9)
    # not what validating on the val images of the training lifts would have measured (how far
    # apart the two are depends on the numerics of two epochs: only that they differ is checked)
    trained = three_lifts().restrict((1, 3))
    old = predict_split(TorchPredictor(best.model.eval()), trained.split("val"), trained.masks)
    assert result.best_val_accuracy != pytest.approx(old.accuracy, abs=1e-9)


def test_resume_restores_the_held_out_lifts(
    val_run: tuple[FitResult, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = swapped(three_lifts(), (2,))
    cfg = tiny_config(epochs=1, train_lifts="seen", val_lifts=1)
    fit("siamese-fast", data, cfg, tmp_path)
    resumed = fit("siamese-fast", data, replace(cfg, epochs=2, resume=True), tmp_path)
    assert resumed.val_lifts == (2,) and resumed.last_epoch == 2
    straight = val_run[0].history
    for a, b in zip(read_log(tmp_path), straight, strict=True):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-5)
        assert a["val_accuracy"] == b["val_accuracy"] and a["iterations"] == b["iterations"]
    assert load_checkpoint(tmp_path / "last.pt").extra["val_lifts"] == [2]
    # a draw that no longer gives the checkpoint's lifts is refused, not silently changed
    salt = next(
        s for s in range(1, 100) if _draw_with_salt(monkeypatch, s, (1, 2, 3), 1, 0) != (2,)
    )
    monkeypatch.setattr(lifts_module, "VAL_LIFTS_SALT", salt)
    with pytest.raises(ValueError, match=r"held-out validation lifts: were \[2\], now"):
        fit("siamese-fast", data, replace(cfg, epochs=3, resume=True), tmp_path)
    # and so is a resume without --val-lifts
    monkeypatch.undo()
    with pytest.raises(ValueError, match="val_lifts: was 1, now 0"):
        fit("siamese-fast", data, tiny_config(epochs=3, train_lifts="seen", resume=True), tmp_path)


def _draw_with_salt(
    monkeypatch: pytest.MonkeyPatch, salt: int, lifts: tuple[int, ...], n: int, seed: int
) -> tuple[int, ...]:
    monkeypatch.setattr(lifts_module, "VAL_LIFTS_SALT", salt)
    return pick_val_lifts(lifts, n, seed)


def test_runs_without_val_lifts_validate_as_before(tmp_path: Path) -> None:
    data = held_out(three_lifts(), seen=(1, 3), unseen=(2,))
    result = fit("siamese-fast", data, tiny_config(epochs=1, train_lifts="seen"), tmp_path)
    assert result.val_lifts == ()
    best = load_checkpoint(result.best_path)
    assert best.extra["train_lifts"] == [1, 3] and best.extra["val_lifts"] == []
    val = data.restrict((1, 3)).split("val")
    again = predict_split(TorchPredictor(best.model.eval()), val, data.masks).accuracy
    assert result.best_val_accuracy == pytest.approx(again, abs=1e-9)


# --- the command line ------------------------------------------------------------------------


def test_the_cli_refuses_bad_val_lifts_in_one_line() -> None:
    runner = CliRunner()
    base = ["train", "siamese-fast", "--data", TINY, "--out", "unused", "--input-size", "64"]
    result = runner.invoke(app, [*base, "--val-lifts", "2"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "error:" in text and "--val-lifts 2 leaves 0 of the 2 lifts of the run" in text
    result = runner.invoke(app, [*base, "--val-lifts", "1", "--train-lifts", "seen"])
    assert result.exit_code == 2 and "no held-out lifts" in " ".join(result.output.split())
    result = runner.invoke(app, [*base, "--val-lifts", "-1"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and not Path("unused").exists()


def test_the_cli_trains_with_held_out_lifts(tmp_path: Path) -> None:
    # 8 lifts: the preset holds 5 out (the unseen ones) and leaves 3 seen; one validates
    data = "synthetic:small:lifts=8,difficulty=0,test_scale=0.02"
    out = tmp_path / "run"
    args = ["train", "siamese-fast", "--data", data, "--out", str(out), "--epochs", "1"]
    fast = ["--input-size", "64", "--threads", "1", "--workers", "1", "--seed", "2"]
    result = CliRunner().invoke(app, [*args, *fast, "--train-lifts", "seen", "--val-lifts", "1"])
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())
    train, val = config["train_lifts"], config["val_lifts"]
    assert len(train) == 2 and len(val) == 1 and not set(train) & set(val)
    assert val == list(pick_val_lifts(tuple(sorted(train + val)), 1, 2))
    text = " ".join(result.output.split())
    assert f"validating on held-out lifts {val[0]}" in text and "epoch 1: loss" in text
    assert [r["epoch"] for r in read_log(out)] == [1]


def test_runs_saved_before_the_option_resume_at_its_default() -> None:
    saved = TrainConfig(train_lifts="seen").to_dict()
    del saved["val_lifts"]  # a checkpoint written before --val-lifts existed
    assert TrainConfig(train_lifts="seen", resume=True).differences(saved) == []
    diffs = TrainConfig(train_lifts="seen", val_lifts=3).differences(saved)
    assert diffs == ["val_lifts: was 0, now 3"]
