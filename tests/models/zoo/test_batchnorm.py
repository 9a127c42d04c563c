import torch
from torch import nn

from models.zoo.batchnorm import recalibrate_batchnorm


def test_running_stats_become_the_exact_average() -> None:
    conv, bn = nn.Conv2d(1, 1, 1, bias=False), nn.BatchNorm2d(1)
    nn.init.ones_(conv.weight)
    model = nn.Sequential(conv, bn).eval()
    batches = [torch.full((2, 1, 2, 2), 1.0), torch.full((2, 1, 2, 2), 3.0)]
    assert recalibrate_batchnorm(model, batches) == 2
    assert bn.running_mean is not None
    assert torch.allclose(bn.running_mean, torch.tensor([2.0]))
    assert bn.momentum == 0.1 and not model.training


def test_no_batchnorm_no_work() -> None:
    assert recalibrate_batchnorm(nn.Linear(2, 2), [torch.zeros(1, 2)]) == 0
