import pytest
import torch
from torch import nn

from models.train.config import ADAM_LR, DEFAULT_LR, TrainConfig
from models.train.optim import decayed_lr, make_optimizer


def test_keras_decay_formula() -> None:
    assert decayed_lr(0.1, 0.01, 0) == 0.1
    assert decayed_lr(0.1, 0.01, 100) == pytest.approx(0.05)
    assert decayed_lr(1e-5, 1e-8, 10**6) == pytest.approx(1e-5 / 1.01)  # the paper's setting
    assert decayed_lr(0.1, 0.0, 10**9) == 0.1
    with pytest.raises(ValueError):
        decayed_lr(0.1, 0.01, -1)


def test_sgd_is_nesterov_with_momentum_and_adam_is_an_option() -> None:
    model = nn.Linear(2, 2)
    sgd = make_optimizer(model, TrainConfig(), 0.01)
    assert isinstance(sgd, torch.optim.SGD)
    group = sgd.param_groups[0]
    assert group["nesterov"] and group["momentum"] == 0.9 and group["lr"] == 0.01
    assert isinstance(make_optimizer(model, TrainConfig(optimizer="adam"), 1e-3), torch.optim.Adam)


def test_default_learning_rates() -> None:
    assert TrainConfig().learning_rate("siamese-fast") == DEFAULT_LR["siamese-fast"]
    assert TrainConfig(optimizer="adam").learning_rate("siamese-fast") == ADAM_LR
    assert TrainConfig(lr=0.5).learning_rate("vgg16") == 0.5


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"optimizer": "rmsprop"}, "optimizer must be one of sgd, adam"),
        ({"device": "tpu"}, "device must be one of"),
        ({"train_lifts": "some"}, "train_lifts must be one of all, seen"),
        ({"lr": 0.0}, "lr must be > 0"),
        ({"patience": 0}, "patience must be >= 1"),
        ({"input_size": 4}, "input_size must be >= 8"),
    ],
)
def test_bad_options_are_refused(kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kw)  # type: ignore[arg-type]


def test_resume_may_change_only_the_horizon() -> None:
    saved = TrainConfig(epochs=5).to_dict()
    assert TrainConfig(epochs=9, patience=3, device="cpu", resume=True).differences(saved) == []
    diffs = TrainConfig(epochs=5, batch_size=8).differences(saved)
    assert diffs == ["batch_size: was 32, now 8"]
