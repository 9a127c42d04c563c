"""The paper's sister network (Alqasir et al., VISAPP 2020, section 4.3) and its siamese use.

conv 32 3×3 ReLU → conv 64 3×3 ReLU → max-pool 2×2 → fully connected. The convolutions are
unpadded ('valid', Keras' default), which gives the paper's "1.2 millions" parameters at
200×200: 896 + 18,496 + (64·98·98·2 + 2) = 1,248,706 for a 2-D embedding. The fully connected
layer's width depends on ``input_size``, so the model is built for one input size.
"""

from __future__ import annotations

import torch
from torch import nn

from models.zoo.base import ZooModel, as_size
from models.zoo.preprocess import PreprocessConfig
from models.zoo.registry import register_model

# The paper does not give its normalisation; Keras practice of the time was /255 alone.
PAPER_MEAN = (0.0, 0.0, 0.0)
PAPER_STD = (1.0, 1.0, 1.0)


class PaperBody(nn.Module):
    """The shared body: two valid 3×3 convolutions, a 2×2 max-pool and one linear layer."""

    def __init__(self, input_size: tuple[int, int], out_features: int) -> None:
        super().__init__()
        h, w = input_size
        if min(h, w) < 6:
            raise ValueError(f"input_size must be at least 6×6, got {input_size}")
        self.conv = nn.Sequential(
            nn.Conv2d(3, 32, 3),
            nn.ReLU(inplace=True),
            nn.Conv2d(32, 64, 3),
            nn.ReLU(inplace=True),
        )
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(64 * ((h - 4) // 2) * ((w - 4) // 2), out_features)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last spatial feature map (N, 64, H-4, W-4), before pooling."""
        out: torch.Tensor = self.conv(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.fc(torch.flatten(self.pool(self.features(x)), 1))
        return out


@register_model("siamese-paper")
class SiamesePaper(ZooModel):
    """One sister of the paper's siamese network: ``forward`` gives the (N, 2) embedding."""

    kind = "siamese"

    def __init__(
        self, input_size: int | tuple[int, int] = (200, 200), embedding_size: int = 2
    ) -> None:
        super().__init__()
        size = as_size(input_size)
        self.body = PaperBody(size, embedding_size)
        self.preprocess_config = PreprocessConfig(
            model="siamese-paper",
            kind="siamese",
            input_size=size,
            mean=PAPER_MEAN,
            std=PAPER_STD,
            embedding_size=embedding_size,
        )

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body.features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.body(x)
        return out
