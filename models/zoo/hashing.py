"""Point-wise deep hashing (Lin et al., the paper's baseline [18]) and its segmentation variant.

Both are ``classifier`` models over lift × bar-state classes (``models.zoo.hash_classes``):
``forward`` returns the class logits; the 48-unit sigmoid latent layer before the classifier is
the hash layer (``hash_probs``), and ``codes`` thresholds it at 0.5 (the paper's eq. 2,
``H = sgn(r − 0.5)``, written as bits 1 where r ≥ 0.5).

* ``hashing-dlbhc`` (baseline): body → hash head.
* ``hashing-psp`` (the paper's proposal): body → pyramid pooling (``models.zoo.psp``) → hash
  head on the stacked features, plus a per-pixel head (background, carrier, bar, person)
  supervised by the synthetic world's segmentation. ``segment`` gives its logits at input size.

Body (ours, not the paper's ImageNet VGG-16: no torchvision, no downloads, and a VGG at 224 px
does not train in the hours a 2-core CPU affords): liftwatch's compact CoordConv separable body
(``models.zoo.siamese_fast`` blocks), cut at stride 8 as the paper taps VGG's 28×28 map of a
224 px input::

    stem  coords + conv 3×3/2 → 16, conv 3×3/2 → 32        /4
          separable 32 → 32, 32 → 64 /2, 64 → 64, 64 → 128  /8   ← feature map (the PSP input)

Hash head (the paper's four fully connected layers, narrowed from 4096 to ``hidden``): separable
3×3/2 → 256, separable 3×3/1, global average pooling, FC ``hidden`` + ReLU, FC ``hidden`` +
ReLU, FC ``bits`` + sigmoid (the hash layer), FC ``num_classes`` (softmax in the loss).
"""

from __future__ import annotations

import torch
from torch import nn

from models.zoo.base import ZooModel, as_size
from models.zoo.hash_classes import DEFAULT_LIFTS, class_map
from models.zoo.preprocess import PreprocessConfig
from models.zoo.psp import PyramidPooling, SegmentationHead
from models.zoo.registry import register_model
from models.zoo.siamese_fast import CoordStem, SeparableBlock

BITS = 48
SEG_CLASSES = 4  # background, carrier, bar, person
BODY_CHANNELS = 128
HEAD_CHANNELS = 256
ONNX_OUTPUTS: tuple[str, str] = ("logits", "hash")


def make_body() -> nn.Sequential:
    """The stride-8 feature extractor, ``BODY_CHANNELS`` channels out."""
    return nn.Sequential(
        CoordStem(16, 32),
        SeparableBlock(32, 32, 1),
        SeparableBlock(32, 64, 2),
        SeparableBlock(64, 64, 1),
        SeparableBlock(64, BODY_CHANNELS, 1),
    )


class HashHead(nn.Module):
    """Feature map → (logits, hash probabilities in [0, 1])."""

    def __init__(self, channels: int, hidden: int, bits: int, num_classes: int) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            SeparableBlock(channels, HEAD_CHANNELS, 2),
            SeparableBlock(HEAD_CHANNELS, HEAD_CHANNELS, 1),
        )
        self.fc = nn.Sequential(
            nn.Linear(HEAD_CHANNELS, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.latent = nn.Linear(hidden, bits)
        self.classifier = nn.Linear(bits, num_classes)

    def forward(self, feats: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = self.conv(feats).mean(dim=(2, 3))
        probs = torch.sigmoid(self.latent(self.fc(pooled)))
        return self.classifier(probs), probs


class HashOutputs(nn.Module):
    """What the ONNX export runs: image → (logits, hash probabilities)."""

    def __init__(self, model: HashingModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits, probs, _ = self.model.outputs(x, segment=False)
        return logits, probs


class HashingModel(ZooModel):
    """Shared by both hashing models; subclasses set ``use_psp``."""

    kind = "classifier"
    use_psp = False
    onnx_outputs = ONNX_OUTPUTS

    def __init__(
        self,
        input_size: int | tuple[int, int] = (96, 96),
        num_classes: int = 2 * DEFAULT_LIFTS,
        bits: int = BITS,
        hidden: int = 256,
    ) -> None:
        super().__init__()
        if num_classes < 2 or num_classes % 2:
            raise ValueError(f"num_classes must be 2 × lifts (even, >= 2), got {num_classes}")
        if bits < 1 or hidden < 1:
            raise ValueError(f"bits and hidden must be >= 1, got {bits}, {hidden}")
        size = as_size(input_size)
        self.bits = bits
        self.body = make_body()
        self.psp = PyramidPooling(BODY_CHANNELS) if self.use_psp else None
        channels = self.psp.out_channels if self.psp is not None else BODY_CHANNELS
        self.seg_head = SegmentationHead(channels, 64, SEG_CLASSES) if self.use_psp else None
        self.head = HashHead(channels, hidden, bits, num_classes)
        self.preprocess_config = PreprocessConfig(
            model=self.model_name,
            kind="classifier",
            input_size=size,
            num_classes=num_classes,
            class_map=class_map(num_classes),
        )

    def outputs(
        self, x: torch.Tensor, segment: bool = True
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """(logits, hash probabilities, segmentation logits at input size or None)."""
        feats = self.body(x)
        if self.psp is not None:
            feats = self.psp(feats)
        logits, probs = self.head(feats)
        seg = None
        if segment and self.seg_head is not None:
            seg = self.seg_head(feats, (int(x.shape[2]), int(x.shape[3])))
        return logits, probs, seg

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.outputs(x, segment=False)[0]

    def hash_probs(self, x: torch.Tensor) -> torch.Tensor:
        """(N, bits) sigmoid outputs of the hash layer."""
        return self.outputs(x, segment=False)[1]

    def codes(self, x: torch.Tensor) -> torch.Tensor:
        """(N, bits) uint8 codes: 1 where the sigmoid is >= 0.5 (eq. 2)."""
        return (self.hash_probs(x) >= 0.5).to(torch.uint8)

    def segment(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 4, H, W) per-pixel logits; only ``hashing-psp`` has this head."""
        seg = self.outputs(x, segment=True)[2]
        if seg is None:
            raise TypeError(f"{self.model_name} has no segmentation branch")
        return seg

    def export_module(self) -> nn.Module:
        """The module ``export_onnx`` traces: outputs ``onnx_outputs``."""
        return HashOutputs(self)


@register_model("hashing-dlbhc")
class HashingDLBHC(HashingModel):
    """The point-wise baseline: body → hash head."""

    use_psp = False


@register_model("hashing-psp")
class HashingPSP(HashingModel):
    """The paper's variant: body → pyramid pooling → hash head, plus a per-pixel head."""

    use_psp = True
