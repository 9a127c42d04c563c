"""ResNet50 (He et al., 2016; torchvision's v1.5, stride in the 3×3) as a 2-class classifier.

Module and parameter names follow torchvision's ``resnet50`` (``conv1``, ``bn1``,
``layerK.B.convN``, ``downsample.0/1``, ``fc``) so an ImageNet state dict saved from torchvision
loads with ``pretrained=PATH`` (backbone strict, ``fc`` skipped). Adaptive average pooling makes
any input size work; 23,512,130 parameters with 2 classes (the paper's "23 millions").
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from models.zoo.base import ZooModel, as_size
from models.zoo.preprocess import IMAGENET_MEAN, IMAGENET_STD, PreprocessConfig
from models.zoo.pretrained import load_backbone
from models.zoo.registry import register_model

LAYERS = (3, 4, 6, 3)
EXPANSION = 4


class Bottleneck(nn.Module):
    """1×1 reduce → 3×3 (stride here) → 1×1 expand, with a projection shortcut when needed."""

    def __init__(self, in_ch: int, width: int, stride: int = 1) -> None:
        super().__init__()
        out_ch = width * EXPANSION
        self.conv1 = nn.Conv2d(in_ch, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_ch, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_ch)
        self.relu = nn.ReLU(inplace=True)
        self.downsample: nn.Module | None = None
        if stride != 1 or in_ch != out_ch:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_ch, out_ch, 1, stride=stride, bias=False), nn.BatchNorm2d(out_ch)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        result: torch.Tensor = self.relu(out + identity)
        return result


def make_layer(in_ch: int, width: int, blocks: int, stride: int) -> nn.Sequential:
    layers = [Bottleneck(in_ch, width, stride)]
    layers += [Bottleneck(width * EXPANSION, width) for _ in range(blocks - 1)]
    return nn.Sequential(*layers)


@register_model("resnet50")
class ResNet50(ZooModel):
    """ResNet50 classifier; ``forward`` returns logits (N, ``num_classes``)."""

    kind = "classifier"

    def __init__(
        self,
        input_size: int | tuple[int, int] = (200, 200),
        num_classes: int = 2,
        pretrained: str | Path | None = None,
    ) -> None:
        super().__init__()
        size = as_size(input_size)
        if min(size) < 32:
            raise ValueError(f"ResNet50 needs an input of at least 32×32, got {size}")
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = make_layer(64, 64, LAYERS[0], 1)
        self.layer2 = make_layer(256, 128, LAYERS[1], 2)
        self.layer3 = make_layer(512, 256, LAYERS[2], 2)
        self.layer4 = make_layer(1024, 512, LAYERS[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512 * EXPANSION, num_classes)
        self._init_weights()
        if pretrained is not None:
            load_backbone(self, pretrained, head_prefixes=("fc.",))
        self.preprocess_config = PreprocessConfig(
            model="resnet50",
            kind="classifier",
            input_size=size,
            mean=IMAGENET_MEAN,
            std=IMAGENET_STD,
            num_classes=num_classes,
        )

    def _init_weights(self) -> None:
        """torchvision's initialisation (conv: Kaiming fan-out; BN: 1, 0)."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last spatial feature map (N, 2048, h, w)."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        out: torch.Tensor = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.fc(torch.flatten(self.avgpool(self.features(x)), 1))
        return out
