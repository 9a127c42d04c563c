"""GetNet's (s, tx, ty) transformer with a heatmap localisation net (soft-argmax).

``ScaleTranslateSTN`` regresses (tx, ty) with fully connected layers, which must learn every
place a target can lie, and its translation gets no gradient while ``s = 1`` (``t`` is bounded
by ``1 − s``). Here the translation is where a heatmap points instead:

* fully convolutional features (conv 5×5/2 → conv 3×3/2, BatchNorm and ReLU, no coordinate
  channels: what the map responds to is the same everywhere) → a 1×1 convolution to one
  channel → a softmax over all positions → ``c``, the map's centroid in the normalised
  coordinates of ``F.grid_sample`` (the soft-argmax of the map);
* ``s = s_min + (s_max − s_min)·sigmoid(a)``, ``a`` a linear function of the features'
  global mean;
* ``t = clamp(c, −|1 − s|, |1 − s|)``: the window is centred on the centroid, kept inside the
  image (s < 1) or holding all of it (s > 1), as in ``ScaleTranslateSTN``.

The 1×1 convolution starts at zero (a flat map, ``c = 0``) and the scale's bias at
``init_scale``. Unlike the regression head, the centroid has a gradient from the first batch
(``∂c/∂m_j = p_j (x_j − c)`` for the map's logits ``m``) and whatever the map learns to respond
to it finds anywhere in the image. The output is (s, tx, ty), so cropping, figures and the
alternating schedule are those of ``ScaleTranslateSTN``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from models.zoo.stn import S_MAX, S_MIN, base_grid, conv_bn, crop


class HeatmapSTN(nn.Module):
    """Features → heatmap → soft-argmax centre, global features → scale; a bilinear crop of
    ``output_size`` around the centre."""

    def __init__(
        self,
        output_size: tuple[int, int],
        channels: int = 16,
        in_channels: int = 1,
        s_min: float = S_MIN,
        s_max: float = S_MAX,
        init_scale: float = 0.6,
        lr_scale: float = 1.0,
    ) -> None:
        super().__init__()
        if not 0 < s_min < s_max:
            raise ValueError(f"need 0 < s_min < s_max, got s_min={s_min}, s_max={s_max}")
        if not s_min < init_scale < s_max:
            raise ValueError(f"init_scale must lie in ({s_min}, {s_max}), got {init_scale}")
        if min(output_size) < 8:
            raise ValueError(f"the output must be at least 8×8, got {output_size}")
        if lr_scale <= 0:
            raise ValueError(f"lr_scale must be > 0, got {lr_scale}")
        self.s_min, self.s_max, self.lr_scale = s_min, s_max, lr_scale
        c = channels
        self.features = nn.Sequential(conv_bn(in_channels, c, 5), conv_bn(c, 2 * c, 3))
        self.heat = nn.Conv2d(2 * c, 1, 1)
        self.scale = nn.Linear(2 * c, 1)
        nn.init.zeros_(self.heat.weight)
        assert self.heat.bias is not None
        nn.init.zeros_(self.heat.bias)
        nn.init.zeros_(self.scale.weight)
        p = (init_scale - s_min) / (s_max - s_min)
        nn.init.constant_(self.scale.bias, math.log(p / (1 - p)))
        self.register_buffer("grid", base_grid(*output_size), persistent=False)

    def _slowed(self, raw: torch.Tensor) -> torch.Tensor:
        """The same value, its gradient times ``lr_scale`` (as in ``ScaleTranslateSTN``)."""
        if self.training and self.lr_scale != 1.0:
            return raw * self.lr_scale + raw.detach() * (1.0 - self.lr_scale)
        return raw

    def heatmap(self, x: torch.Tensor) -> torch.Tensor:
        """(N, h, w) the softmax of the map over its positions (each sums to 1)."""
        logits = self.heat(self.features(x))
        n, _, h, w = logits.shape
        return torch.softmax(logits.reshape(n, h * w), dim=1).reshape(n, h, w)

    def params(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3): (s, tx, ty) of each input."""
        features = self.features(x)
        logits = self._slowed(self.heat(features))
        n, _, h, w = logits.shape
        p = torch.softmax(logits.reshape(n, h * w), dim=1)
        centres = base_grid(h, w).to(x.device).reshape(h * w, 2)
        c = p @ centres  # (N, 2), x first
        a = self._slowed(self.scale(features.mean(dim=(2, 3))))
        s = self.s_min + (self.s_max - self.s_min) * torch.sigmoid(a)
        limit = (1 - s).abs()
        t = torch.maximum(torch.minimum(c, limit), -limit)
        return torch.cat([s, t], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        grid = self.grid
        assert isinstance(grid, torch.Tensor)
        return crop(x, self.params(x), grid)
