"""liftwatch's production sister network: small, fully convolutional, 64-d unit embedding.

Layout at 200×200 (MACs per image in brackets: 36.3 M in all, 20× fewer than the paper
sister's 743 M; 163,376 parameters):

    stem   coords + conv 3×3/2  5 → 16, BN, ReLU   100×100   [7.2 M]
           conv 3×3/2          16 → 32, BN, ReLU    50×50   [11.5 M]
    stage  separable 3×3/1  32 →  32 (residual)     50×50    [3.4 M]
           separable 3×3/2  32 →  64                25×25    [1.5 M]
           separable 3×3/1  64 →  64 (residual)     25×25    [3.0 M]
           separable 3×3/2  64 → 128                13×13    [1.5 M]
           separable 3×3/1 128 → 128 (residual)     13×13    [3.0 M]
           separable 3×3/2 128 → 256                 7×7     [1.7 M]
           separable 3×3/1 256 → 256 (residual)      7×7     [3.3 M]
    head   global average pooling → linear 256 → 64 → L2 normalisation

A separable block is a depthwise 3×3 convolution, BN, ReLU, then a pointwise 1×1 convolution
(fed two coordinate channels as well) and BN, with ReLU after the residual sum.

Why the coordinates: global pooling forgets where a feature lies, and an open bar differs from
a closed one mostly by where it lies (the open and closed masks are nearly the same strokes,
moved). Row/column channels (CoordConv) let the convolutions make position-aware features.
Why the 7×7 end: a 13×13 end (one stage less) sees ~90 px of the 200 px crop per cell and
learned markedly worse in small trials; the last stage costs 5 M MACs.

``features(x)`` returns the last spatial map (N, 256, h, w) for Dist-CAM heatmaps; the embedding
is ``normalize(proj(mean_hw(features)))``. Any input size works (global pooling).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from models.zoo.base import ZooModel, as_size
from models.zoo.preprocess import PreprocessConfig
from models.zoo.registry import register_model

STEM = (16, 32)
# (out channels, stride) of each separable block after the stem
STAGES: tuple[tuple[int, int], ...] = (
    (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1),
)  # fmt: skip


def add_coords(x: torch.Tensor) -> torch.Tensor:
    """Append two channels holding each pixel's row and column, scaled to [-1, 1] (CoordConv).

    Built from cumulative sums rather than from the shape, so that ONNX tracing records it as
    graph operations (no Python arithmetic on traced sizes).
    """
    ones = torch.ones_like(x[:1, :1])  # (1, 1, h, w)
    rows, cols = ones.cumsum(2) - 1, ones.cumsum(3) - 1
    rows = rows / rows.amax(dim=2, keepdim=True).clamp_min(1) * 2 - 1
    cols = cols / cols.amax(dim=3, keepdim=True).clamp_min(1) * 2 - 1
    grid = torch.cat([rows, cols], dim=1).expand(x.shape[0], -1, -1, -1)
    return torch.cat([x, grid], dim=1)


def conv_bn_relu(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class CoordStem(nn.Module):
    """Coordinates appended to the image, then two strided 3×3 convolutions."""

    def __init__(self, c1: int, c2: int) -> None:
        super().__init__()
        self.conv1 = conv_bn_relu(3 + 2, c1, 2)
        self.conv2 = conv_bn_relu(c1, c2, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.conv2(self.conv1(add_coords(x)))
        return out


class SeparableBlock(nn.Module):
    """Depthwise 3×3 → BN → ReLU → (+ coords) pointwise 1×1 → BN (+ identity) → ReLU."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin, bias=False)
        self.bn1 = nn.BatchNorm2d(cin)
        self.pointwise = nn.Conv2d(cin + 2, cout, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.depthwise(x)))
        out = self.bn2(self.pointwise(add_coords(out)))
        if self.residual:
            out = out + x
        return F.relu(out)


def fast_body(width: float = 1.0) -> tuple[nn.Sequential, int]:
    """siamese-fast's convolutional body with every channel count scaled by ``width`` (at least
    8 a layer), and the channels of its last feature map."""
    ch = [max(8, round(c * width)) for c in (*STEM, *(c for c, _ in STAGES))]
    blocks = [SeparableBlock(ch[i + 1], ch[i + 2], s) for i, (_, s) in enumerate(STAGES)]
    return nn.Sequential(CoordStem(ch[0], ch[1]), *blocks), ch[-1]


@register_model("siamese-fast")
class SiameseFast(ZooModel):
    """Fully convolutional sister; ``forward`` gives (N, ``embedding_size``) unit vectors.

    ``width`` scales every channel count (at least 8 channels a layer).
    """

    kind = "siamese"

    def __init__(
        self,
        input_size: int | tuple[int, int] = (200, 200),
        embedding_size: int = 64,
        width: float = 1.0,
    ) -> None:
        super().__init__()
        size = as_size(input_size)
        self.body, self.feature_channels = fast_body(width)
        self.proj = nn.Linear(self.feature_channels, embedding_size)
        self.preprocess_config = PreprocessConfig(
            model="siamese-fast",
            kind="siamese",
            input_size=size,
            embedding_size=embedding_size,
        )

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last spatial feature map (N, C, h, w); 7×7 at 200×200."""
        out: torch.Tensor = self.body(x)
        return out

    def embed_features(self, feats: torch.Tensor) -> torch.Tensor:
        """Embedding from a ``features`` map: average-pool, project, L2-normalise."""
        return F.normalize(self.proj(feats.mean(dim=(2, 3))), dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.embed_features(self.features(x))
