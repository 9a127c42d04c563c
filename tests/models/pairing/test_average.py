"""Keeping the average of the final epochs' weights: the mean, BatchNorm measured again."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from models.pairing.data import PairingData
from models.pairing.train import (
    PairingConfig,
    WeightAverage,
    evaluate_pairing,
    recalibrate_batchnorm,
    train_pairing,
)
from tests.models.pairing.test_train import tiny_digits


def test_the_average_is_the_mean_of_the_weights_and_the_last_counts() -> None:
    average = WeightAverage()
    with pytest.raises(ValueError, match="no weights"):
        average.state_dict({"w": torch.zeros(2)})
    for w, n in ((1.0, 3), (2.0, 5), (6.0, 7)):
        average.add({"w": torch.full((2,), w), "n": torch.tensor(n)})
    mean = average.state_dict({"w": torch.zeros(2), "n": torch.tensor(0)})
    assert torch.equal(mean["w"], torch.full((2,), 3.0)) and int(mean["n"]) == 7
    assert average.count == 3 and mean["w"].dtype == torch.float32


def test_batchnorm_is_measured_again_over_every_batch_alike() -> None:
    torch.manual_seed(0)
    measured, frozen = nn.BatchNorm1d(3), nn.BatchNorm1d(3)
    measured.running_mean.fill_(5.0)
    frozen.running_mean.fill_(5.0)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.measured, self.frozen = measured, frozen

        def train(self, mode: bool = True) -> Net:
            super().train(mode)
            self.frozen.eval()  # like a frozen STN: it never leaves eval mode
            return self

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.frozen(self.measured(x))

    batches = [torch.randn(8, 3) + 2.0, torch.randn(8, 3) - 1.0]
    assert recalibrate_batchnorm(Net(), batches) == 1
    everything = torch.cat(batches)
    assert torch.allclose(measured.running_mean, everything.mean(0), atol=1e-6)
    # the variance: the mean of the batches' own (BatchNorm normalises within a batch)
    within = torch.stack([b.var(0) for b in batches]).mean(0)
    assert torch.allclose(measured.running_var, within, atol=1e-5)
    assert measured.momentum == 0.1 and not measured.training
    assert torch.equal(frozen.running_mean, torch.full((3,), 5.0))


@pytest.mark.slow
def test_keep_average_keeps_the_mean_of_the_final_epochs(tmp_path: Path) -> None:
    data = PairingData(tiny_digits(), 40, 0.3, val_per_class=2, test_per_class=2)
    base = {"model": "siamese", "epochs": 3, "canvas": 40, "batch_size": 16}
    one = train_pairing(
        PairingConfig(**base, keep="average", average_epochs=1), tmp_path / "one", data=data
    )
    # the average of the final epoch alone is that epoch: the same accuracy, threshold, weights
    assert (
        one["keep_rules"]["average"]["test_accuracy"] == one["keep_rules"]["last"]["test_accuracy"]
    )
    assert one["keep_rules"]["average"]["epochs"] == [3, 3] and one["kept_epoch"] == 3
    assert one["threshold"] == pytest.approx(one["history"][-1]["threshold"])
    two = train_pairing(
        PairingConfig(**base, sister="cnn", keep="average", average_epochs=2),
        tmp_path / "two",
        data=data,
    )
    assert two["keep"] == "average" and two["keep_rules"]["average"]["epochs"] == [2, 3]
    assert two["test_accuracy"] == two["keep_rules"]["average"]["test_accuracy"]
    assert set(two["keep_rules"]) == {"best", "last", "average"}
    again = evaluate_pairing(tmp_path / "two" / "model.pt", data=data)
    assert again["test_accuracy"] == pytest.approx(two["test_accuracy"])
    with pytest.raises(ValueError, match="average_epochs must be >= 1"):
        PairingConfig(average_epochs=0)
