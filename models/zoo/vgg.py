"""VGG16 (Simonyan & Zisserman, 2015) as a 2-class classifier, in plain torch.

Module and parameter names follow torchvision's ``vgg16``/``vgg16_bn`` (``features.N.*``,
``classifier.N.*``) so an ImageNet state dict saved from torchvision loads with ``pretrained=PATH``
(backbone strict, head skipped). Two heads:

* ``head="compact"`` (default): global average pooling → 1024 → ``num_classes``: the paper's
  15.2 M parameters at 200×200 (15,242,050 here); any input size works.
* ``head="torchvision"``: torchvision's own (7×7 adaptive pooling → 4096 → 4096 →
  ``num_classes``), 134 M parameters; its fully connected layers are trained from scratch.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from models.zoo.base import ZooModel, as_size
from models.zoo.preprocess import IMAGENET_MEAN, IMAGENET_STD, PreprocessConfig
from models.zoo.pretrained import load_backbone
from models.zoo.registry import register_model

CFG_D: tuple[int | str, ...] = (
    64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M",
)  # fmt: skip
HEADS = ("compact", "torchvision")


def make_features(batch_norm: bool) -> nn.Sequential:
    """torchvision's ``features``: 13 3×3 convolutions (optionally with BN) and 5 max-pools."""
    layers: list[nn.Module] = []
    channels = 3
    for v in CFG_D:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        assert isinstance(v, int)
        layers.append(nn.Conv2d(channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        channels = v
    return nn.Sequential(*layers)


def make_head(head: str, num_classes: int, dropout: float) -> tuple[nn.Module, nn.Sequential]:
    """(pooling, classifier) of the chosen head."""
    if head == "compact":
        return nn.AdaptiveAvgPool2d(1), nn.Sequential(
            nn.Linear(512, 1024), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(1024, num_classes),
        )  # fmt: skip
    if head == "torchvision":
        return nn.AdaptiveAvgPool2d((7, 7)), nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, num_classes),
        )  # fmt: skip
    raise ValueError(f"head must be one of {HEADS}, got {head!r}")


def init_weights(model: nn.Module) -> None:
    """torchvision's initialisation."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.zeros_(m.bias)


@register_model("vgg16")
class VGG16(ZooModel):
    """VGG16 classifier; ``forward`` returns logits (N, ``num_classes``)."""

    kind = "classifier"

    def __init__(
        self,
        input_size: int | tuple[int, int] = (200, 200),
        num_classes: int = 2,
        batch_norm: bool = False,
        head: str = "compact",
        dropout: float = 0.5,
        pretrained: str | Path | None = None,
    ) -> None:
        super().__init__()
        size = as_size(input_size)
        if min(size) < 32:
            raise ValueError(f"VGG16 needs an input of at least 32×32, got {size}")
        self.features = make_features(batch_norm)
        self.avgpool, self.classifier = make_head(head, num_classes, dropout)
        init_weights(self)
        if pretrained is not None:
            load_backbone(self, pretrained, head_prefixes=("classifier.",))
        self.preprocess_config = PreprocessConfig(
            model="vgg16",
            kind="classifier",
            input_size=size,
            mean=IMAGENET_MEAN,
            std=IMAGENET_STD,
            num_classes=num_classes,
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(self.avgpool(self.features(x)), 1)
        out: torch.Tensor = self.classifier(x)
        return out
