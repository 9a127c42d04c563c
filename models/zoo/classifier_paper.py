"""The paper's baseline classifier: the siamese sister's body with a 2-way head.

``forward`` returns logits; softmax is applied at inference (``decision.classify``). Same
parameter count as ``siamese-paper`` at 200×200 (1,248,706), as in the paper.
"""

from __future__ import annotations

import torch

from models.zoo.base import ZooModel, as_size
from models.zoo.preprocess import PreprocessConfig
from models.zoo.registry import register_model
from models.zoo.siamese_paper import PAPER_MEAN, PAPER_STD, PaperBody


@register_model("classifier-paper")
class ClassifierPaper(ZooModel):
    """conv 32 → conv 64 → max-pool → linear to ``num_classes`` logits."""

    kind = "classifier"

    def __init__(
        self, input_size: int | tuple[int, int] = (200, 200), num_classes: int = 2
    ) -> None:
        super().__init__()
        size = as_size(input_size)
        self.body = PaperBody(size, num_classes)
        self.preprocess_config = PreprocessConfig(
            model="classifier-paper",
            kind="classifier",
            input_size=size,
            mean=PAPER_MEAN,
            std=PAPER_STD,
            num_classes=num_classes,
        )

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body.features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.body(x)
        return out
