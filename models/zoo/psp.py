"""The pyramid pooling module (PSPNet) and the per-pixel head of the hashing variant.

As in the paper (section III-B): the body's feature map (N channels) is average-pooled to four
grids, each pooled map goes through a 1×1 convolution to N/4 channels, batch normalisation and
ReLU, and is up-sampled back to the map's size; the four are stacked with the original map
(2N channels). The paper's bins of 28, 14, 9 and 7 pixels on its 28×28 map give grids of 1, 2,
3 and 4 cells: ``BINS`` are those grids, whatever the map size.

``SegmentationHead``: 3×3 convolution, BN, ReLU, 1×1 convolution to the classes, then bilinear
up-sampling to the input image's size (logits; the loss applies log-softmax).
"""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F
from torch import nn

BINS: tuple[int, ...] = (1, 2, 3, 4)


def pool_matrix(size: int, grid: int, like: torch.Tensor) -> torch.Tensor:
    """(grid, size) weights of adaptive average pooling along one axis (PyTorch's cell bounds:
    cell i averages [floor(i·size/grid), ceil((i+1)·size/grid)))."""
    weights = torch.zeros(grid, size, dtype=like.dtype, device=like.device)
    for i in range(grid):
        start, end = (i * size) // grid, -(-(i + 1) * size // grid)
        weights[i, start:end] = 1.0 / (end - start)
    return weights


def adaptive_pool(x: torch.Tensor, grid: int) -> torch.Tensor:
    """``F.adaptive_avg_pool2d(x, grid)`` as two matrix products: the same numbers, and it
    exports to ONNX for any map size (ONNX's pooling needs the grid to divide the map)."""
    with warnings.catch_warnings():
        # exported graphs have a fixed input size: the map size is a constant there
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        h, w = int(x.shape[2]), int(x.shape[3])
    return pool_matrix(h, grid, x) @ x @ pool_matrix(w, grid, x).T


class PyramidPooling(nn.Module):
    """(B, C, h, w) → (B, 2C, h, w): the map stacked with its four pooled, up-sampled streams."""

    def __init__(self, channels: int, bins: tuple[int, ...] = BINS) -> None:
        super().__init__()
        if channels % len(bins):
            raise ValueError(f"channels ({channels}) must divide into {len(bins)} streams")
        out = channels // len(bins)
        self.bins = bins
        self.streams = nn.ModuleList(
            nn.Sequential(nn.Conv2d(channels, out, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU())
            for _ in bins
        )
        self.out_channels = channels + out * len(bins)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.shape[2:]
        parts = [x]
        for grid, stream in zip(self.bins, self.streams, strict=True):
            pooled = stream(adaptive_pool(x, grid))
            parts.append(F.interpolate(pooled, size=size, mode="bilinear", align_corners=False))
        return torch.cat(parts, dim=1)


class SegmentationHead(nn.Module):
    """Stacked PSP features → per-pixel class logits at ``out_size``."""

    def __init__(self, channels: int, hidden: int, num_classes: int) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(channels, hidden, 3, padding=1, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(),
            nn.Conv2d(hidden, num_classes, 1),
        )

    def forward(self, x: torch.Tensor, out_size: tuple[int, int]) -> torch.Tensor:
        return F.interpolate(self.conv(x), size=out_size, mode="bilinear", align_corners=False)
