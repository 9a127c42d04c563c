"""The heatmap (soft-argmax) localisation of GetNet's (s, tx, ty) transformer."""

from __future__ import annotations

import pytest
import torch

from models.zoo.stn_heatmap import HeatmapSTN


def stn(**kw: float) -> HeatmapSTN:
    torch.manual_seed(0)
    return HeatmapSTN((32, 32), channels=4, in_channels=1, **kw).eval()  # type: ignore[arg-type]


def test_it_starts_flat_at_the_centre_with_its_initial_scale() -> None:
    net = stn(init_scale=0.5)
    x = torch.rand(3, 1, 32, 32)
    params = net.params(x).detach()
    assert params.shape == (3, 3)
    assert torch.allclose(params[:, 0], torch.full((3,), 0.5), atol=1e-6)
    assert torch.allclose(params[:, 1:], torch.zeros(3, 2), atol=1e-6)  # a flat map's centroid
    heat = net.heatmap(x)
    assert heat.shape == (3, 8, 8)  # two stride-2 convolutions
    assert torch.allclose(heat.sum(dim=(1, 2)), torch.ones(3))
    assert net(x).shape == (3, 1, 32, 32)


def test_the_window_goes_where_the_map_peaks_and_stays_inside() -> None:
    net = stn(init_scale=0.5)
    with torch.no_grad():
        # features = the input; the map = 50 × the input: it peaks at the one bright pixel
        net.features = torch.nn.Sequential()
        net.heat = torch.nn.Conv2d(1, 1, 1)
        net.heat.weight.fill_(50.0)
        net.heat.bias.zero_()
        net.scale = torch.nn.Linear(1, 1)
        net.scale.weight.zero_()
        net.scale.bias.fill_(0.0)  # s = the middle of (s_min, s_max) = 0.7
    x = torch.zeros(2, 1, 8, 8)
    x[0, 0, 2, 5] = 1.0  # pixel centre: x = (2·5 + 1)/8 − 1 = 0.375, y = (2·2 + 1)/8 − 1 = −0.375
    x[1, 0, 7, 0] = 1.0  # a corner: the centre (−0.875, 0.875) is beyond |1 − s| = 0.3
    params = net.params(x).detach()
    assert params[0, 0] == pytest.approx(0.7)
    assert params[0, 1:].tolist() == pytest.approx([0.3, -0.3], abs=1e-3)  # clamped to 0.3
    assert params[1, 1:].tolist() == pytest.approx([-0.3, 0.3], abs=1e-6)
    net.s_min, net.s_max = 0.2, 0.8
    params = net.params(x).detach()  # s = 0.5: the limit 0.5 lets the first peak through
    assert params[0, 1:].tolist() == pytest.approx([0.375, -0.375], abs=1e-3)


def test_the_centre_learns_from_the_first_batch() -> None:
    """The flat start still gives the map a gradient (the regression head's translation gets
    none while s = 1)."""
    net = stn(init_scale=0.6).train()
    x = torch.rand(4, 1, 32, 32)
    net.params(x)[:, 1:].sum().backward()
    assert net.heat.weight.grad is not None and net.heat.weight.grad.abs().sum() > 0


def test_bad_bounds_are_named() -> None:
    with pytest.raises(ValueError, match="init_scale must lie"):
        stn(init_scale=0.95, s_max=0.9)
    with pytest.raises(ValueError, match="s_min < s_max"):
        stn(s_min=0.5, s_max=0.4)
