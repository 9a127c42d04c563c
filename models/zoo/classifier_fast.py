"""``classifier-fast``: siamese-fast's body with global average pooling and a 2-way linear head.

The classifier counterpart of ``siamese-fast`` for CAM (Zhou et al. 2016): CAM needs the logits
to be a linear function of the globally average-pooled last feature map, ``y_c = Σ_k w_ck ·
GAP(F_k) + b_c``, which this head is by construction (``features`` → mean over h, w → linear).
Same body, so CAM here and Dist-CAM on ``siamese-fast`` compare like with like.
"""

from __future__ import annotations

import torch
from torch import nn

from models.zoo.base import ZooModel, as_size
from models.zoo.preprocess import PreprocessConfig
from models.zoo.registry import register_model
from models.zoo.siamese_fast import fast_body


@register_model("classifier-fast")
class ClassifierFast(ZooModel):
    """siamese-fast body → GAP → linear to ``num_classes`` logits; ``width`` as siamese-fast."""

    kind = "classifier"

    def __init__(
        self,
        input_size: int | tuple[int, int] = (200, 200),
        num_classes: int = 2,
        width: float = 1.0,
    ) -> None:
        super().__init__()
        size = as_size(input_size)
        self.body, self.feature_channels = fast_body(width)
        self.fc = nn.Linear(self.feature_channels, num_classes)
        self.preprocess_config = PreprocessConfig(
            model="classifier-fast",
            kind="classifier",
            input_size=size,
            num_classes=num_classes,
        )

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last spatial feature map (N, C, h, w); 7×7 at 200×200."""
        out: torch.Tensor = self.body(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.fc(self.features(x).mean(dim=(2, 3)))
        return out
