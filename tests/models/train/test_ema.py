"""Weight averaging (``--ema``): the average by hand, and runs that validate and save it."""

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from models.train.config import TrainConfig
from models.train.ema import WeightAverage, warmed_decay
from models.train.fit import fit
from models.zoo.checkpoint import load_checkpoint
from tests.models.train.helpers import tiny_config, tiny_data


def test_the_decay_warms_up_then_holds() -> None:
    assert warmed_decay(0.998, 0) == pytest.approx(0.1)  # (1 + 0) / (10 + 0)
    assert warmed_decay(0.998, 10) == pytest.approx(11 / 20)
    assert warmed_decay(0.998, 10**6) == 0.998


def test_the_average_moves_by_one_minus_the_decay() -> None:
    layer = nn.BatchNorm1d(2)
    average = WeightAverage(layer, 0.5)
    with torch.no_grad():
        layer.weight.fill_(3.0)  # from 1
        layer.num_batches_tracked.fill_(7)
    average.update(layer, updates=100)  # warmed up: decay 0.5
    assert torch.equal(average.average["weight"], torch.tensor([2.0, 2.0]))
    assert int(average.average["num_batches_tracked"]) == 7  # counters are copied
    average.update(layer, updates=0)  # first update: decay 0.1
    assert torch.allclose(average.average["weight"], torch.tensor([2.9, 2.9]))


def test_swapped_in_holds_the_average_then_the_trained_weights() -> None:
    layer = nn.Linear(1, 1)
    with torch.no_grad():
        layer.weight.fill_(0.0)
    average = WeightAverage(layer, 0.5)
    with torch.no_grad():
        layer.weight.fill_(4.0)
    average.update(layer, updates=100)
    with average.swapped_in(layer) as trained:
        assert float(layer.weight.detach()) == 2.0 and float(trained["weight"]) == 4.0
        with torch.no_grad():
            layer.bias.fill_(9.0)  # e.g. statistics re-estimated for the average
    assert float(layer.weight.detach()) == 4.0 and float(layer.bias.detach()) != 9.0
    assert float(average.average["bias"]) == 9.0


def test_a_bad_decay_is_refused() -> None:
    with pytest.raises(ValueError, match=r"ema must be in \(0, 1\), got 1.0"):
        TrainConfig(ema=1.0)
    with pytest.raises(ValueError, match="ema decay"):
        WeightAverage(nn.Linear(1, 1), 0.0)


def test_an_ema_run_saves_the_average_and_resumes_exactly(tmp_path: Path) -> None:
    data = tiny_data()
    straight = fit("siamese-fast", data, tiny_config(epochs=2, ema=0.9), tmp_path / "straight")
    plain = fit("siamese-fast", data, tiny_config(epochs=2), tmp_path / "plain")
    last = load_checkpoint(straight.last_path, expected_model="siamese-fast")
    trained = last.extra["trained_weights"]
    saved = last.model.state_dict()
    weights = [k for k, v in saved.items() if v.is_floating_point() and "running" not in k]
    assert any(not torch.equal(saved[k], trained[k]) for k in weights)  # the average is saved
    same_start = load_checkpoint(plain.last_path).model.state_dict()
    for k in weights:  # same seed, same updates: the trained weights are the plain run's
        assert torch.allclose(trained[k], same_start[k], atol=1e-6)
    assert "trained_weights" not in load_checkpoint(straight.best_path).extra

    out = tmp_path / "resumed"
    fit("siamese-fast", data, tiny_config(epochs=1, ema=0.9), out)
    fit("siamese-fast", data, tiny_config(epochs=2, ema=0.9, resume=True), out)
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    for a, b in zip(log, straight.history, strict=True):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-5)
        assert a["val_accuracy"] == b["val_accuracy"]
    resumed = load_checkpoint(out / "last.pt").model.state_dict()
    for k in weights:
        assert torch.allclose(resumed[k], saved[k], atol=1e-6)
    with pytest.raises(ValueError, match=r"ema: was 0\.9, now None"):
        fit("siamese-fast", data, tiny_config(epochs=3, resume=True), out)
