"""GetNet's spatial transformer (Yu et al., "GetNet: Get Target Area for Image Pairing", eq. 3).

The localisation net outputs only a scale ``s`` and a translation ``(tx, ty)``; the affine
transform is ``θ = [[s, 0, tx], [0, s, ty]]`` in the normalised coordinates of
``F.grid_sample`` (−1 … 1, ``align_corners=False``): output pixel ``(x, y)`` samples the input
at ``(s·x + tx, s·y + ty)``, so ``s < 1`` zooms into a window of ``s`` times the image's side
centred at ``(tx, ty)`` (eq. 2) and the sampler is bilinear (eq. 5).

Bounds (the paper gives none; "s represents the cropping ratio" and the transform is "the local
translation in the original images"): ``s = s_min + (s_max − s_min)·sigmoid(a)`` and
``t = (1 − s)·tanh(b)``, so a zoomed-in window (s < 1) always lies inside the image and a
zoomed-out one (s > 1) always holds the whole image: the STN can never slide the picture out of
view (an unbounded translation did exactly that in a first chairlift trial). The localisation
net's last layer starts at zero weights and a bias that gives ``s = 1, t = 0``: the transformer
starts as the identity, as Jaderberg et al. initialise theirs (the translation starts to learn
as soon as ``s`` leaves 1).

The sampling grid is built from a fixed base grid and element-wise operations (no
``affine_grid``), so the ONNX export needs only ``GridSample`` (opset 16 and later).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from models.zoo.siamese_fast import add_coords

S_MIN, S_MAX = 0.2, 1.2
LR_SCALE = 0.1


def base_grid(height: int, width: int) -> torch.Tensor:
    """(1, H, W, 2) output pixel centres in normalised coordinates (x first), as
    ``affine_grid(identity, align_corners=False)`` places them."""
    ys = (torch.arange(height, dtype=torch.float32) * 2 + 1) / height - 1
    xs = (torch.arange(width, dtype=torch.float32) * 2 + 1) / width - 1
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([gx, gy], dim=-1).unsqueeze(0)


def crop(x: torch.Tensor, params: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    """Sample ``x`` (N, C, H, W) with ``params`` (N, 3) = (s, tx, ty) on ``grid`` (1, h, w, 2)."""
    s = params[:, 0].reshape(-1, 1, 1, 1)
    t = params[:, 1:3].reshape(-1, 1, 1, 2)
    return F.grid_sample(
        x, grid * s + t, mode="bilinear", padding_mode="zeros", align_corners=False
    )


def theta_of(params: torch.Tensor) -> torch.Tensor:
    """(N, 2, 3) affine matrices [[s, 0, tx], [0, s, ty]] of (N, 3) params (for reference)."""
    s, tx, ty = params.unbind(dim=1)
    zero = torch.zeros_like(s)
    return torch.stack([torch.stack([s, zero, tx], 1), torch.stack([zero, s, ty], 1)], 1)


def conv_bn(cin: int, cout: int, kernel: int) -> nn.Sequential:
    """Strided convolution → BatchNorm → ReLU (Kaiming-initialised)."""
    conv = nn.Conv2d(cin, cout, kernel, stride=2, padding=kernel // 2, bias=False)
    nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
    return nn.Sequential(conv, nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class LocalisationNet(nn.Module):
    """Small position-aware CNN → (N, 3) raw outputs; CoordConv channels keep where things are.

    conv 5×5/2 (in+2 → c) → conv 3×3/2 (c+2 → 2c) → conv 3×3/2 (2c+2 → 2c), each with
    BatchNorm and ReLU → flatten (the map's size follows ``input_size``) → linear 32 → ReLU →
    linear 3. BatchNorm matters: without it (PyTorch's default initialisation) the features
    barely depended on the image (their spread across inputs was 2 % of their mean), so every
    image got the same window and the STN could not learn to localise.
    """

    def __init__(
        self, input_size: tuple[int, int], channels: int = 16, in_channels: int = 3
    ) -> None:
        super().__init__()
        c = channels
        self.conv1 = conv_bn(in_channels + 2, c, 5)
        self.conv2 = conv_bn(c + 2, 2 * c, 3)
        self.conv3 = conv_bn(2 * c + 2, 2 * c, 3)
        h, w = input_size
        for _ in range(3):
            h, w = (h + 1) // 2, (w + 1) // 2
        self.fc1 = nn.Linear(2 * c * h * w, 32)
        nn.init.kaiming_normal_(self.fc1.weight, nonlinearity="relu")
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(add_coords(x))
        out = self.conv2(add_coords(out))
        out = self.conv3(add_coords(out))
        out = F.relu(self.fc1(torch.flatten(out, 1)))
        raw: torch.Tensor = self.fc2(out)
        return raw


class ScaleTranslateSTN(nn.Module):
    """Localisation net → bounded (s, tx, ty) → bilinear crop of ``output_size``."""

    def __init__(
        self,
        input_size: tuple[int, int],
        output_size: tuple[int, int],
        channels: int = 16,
        s_min: float = S_MIN,
        s_max: float = S_MAX,
        lr_scale: float = LR_SCALE,
        in_channels: int = 3,
        init_scale: float = 1.0,
    ) -> None:
        super().__init__()
        if not 0 < s_min < 1 < s_max:
            raise ValueError(f"need 0 < s_min < 1 < s_max, got s_min={s_min}, s_max={s_max}")
        if not s_min < init_scale < s_max:
            raise ValueError(f"init_scale must lie in ({s_min}, {s_max}), got {init_scale}")
        if min(*input_size, *output_size) < 8:
            raise ValueError(f"sizes must be at least 8×8, got {input_size} → {output_size}")
        if lr_scale <= 0:
            raise ValueError(f"lr_scale must be > 0, got {lr_scale}")
        self.s_min, self.s_max = s_min, s_max
        self.lr_scale = lr_scale
        self.loc = LocalisationNet(input_size, channels, in_channels)
        self.reset_identity(init_scale)
        self.register_buffer("grid", base_grid(*output_size), persistent=False)

    def reset_identity(self, scale: float = 1.0) -> None:
        """Zero the last layer and set its bias so that ``s = scale`` (1: the identity) and
        ``t = 0`` for every image."""
        nn.init.zeros_(self.loc.fc2.weight)
        p = (scale - self.s_min) / (self.s_max - self.s_min)
        with torch.no_grad():
            self.loc.fc2.bias.copy_(torch.tensor([math.log(p / (1 - p)), 0.0, 0.0]))

    def params(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3): (s, tx, ty) of each input, within their bounds."""
        raw = self.loc(x)
        if self.training and self.lr_scale != 1.0:
            # same value, gradient times lr_scale: the localisation net learns lr_scale times
            # slower under SGD (its sigmoid/tanh outputs saturate, for good, if it jumps)
            raw = raw * self.lr_scale + raw.detach() * (1.0 - self.lr_scale)
        s = self.s_min + (self.s_max - self.s_min) * torch.sigmoid(raw[:, :1])
        t = (1 - s) * torch.tanh(raw[:, 1:])
        return torch.cat([s, t], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        grid = self.grid
        assert isinstance(grid, torch.Tensor)
        return crop(x, self.params(x), grid)
