"""The two networks of Table I with the same sister: a plain siamese network and GetNet.

The paper's Fig. 2 does not describe its sister; two are offered, the same for both networks:

- ``lenet``: conv 5×5 8 → ReLU → max-pool 2 → conv 5×5 16 → ReLU → max-pool 2 → linear 64 →
  ReLU → linear ``embedding_size`` (2.6 M multiply-accumulates at 60×60). Its fully connected
  layers see where things lie, so a digit at a random place in clutter is hard for it alone.
- ``cnn``: three blocks of conv 3×3 → BatchNorm → ReLU → max-pool 2 (32, 64, 64 channels), a
  global max-pool over what is left (where the digit lies no longer matters) → linear 128 →
  ReLU → linear ``embedding_size`` (26 M multiply-accumulates at 60×60).

GetNet puts a spatial transformer in front (8 channels, grey input; its crop has the canvas's
size unless ``crop`` says otherwise, so by default the sister is the very same network):
``regress``, ``models.zoo.stn.ScaleTranslateSTN`` (fully connected layers regress (s, tx, ty)),
or ``heatmap``, ``models.zoo.stn_heatmap.HeatmapSTN`` (the window centred on a heatmap's
soft-argmax).

Both take (N, 1, S, S) canvases: ``forward`` gives embeddings, ``crops`` what the sister sees
(the input itself for the plain siamese network), ``params`` GetNet's (s, tx, ty).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from models.zoo.alternating import Phase, apply_phase
from models.zoo.stn import S_MAX, ScaleTranslateSTN
from models.zoo.stn_heatmap import HeatmapSTN

PairingModel = Literal["siamese", "getnet"]
PAIRING_MODELS: tuple[PairingModel, ...] = ("siamese", "getnet")
SisterKind = Literal["lenet", "cnn"]
SISTERS: tuple[SisterKind, ...] = ("lenet", "cnn")
Localiser = Literal["regress", "heatmap"]
LOCALISERS: tuple[Localiser, ...] = ("regress", "heatmap")


class Sister(nn.Module):
    """LeNet-style sister network for (N, 1, S, S) inputs."""

    def __init__(self, side: int, embedding_size: int = 32) -> None:
        super().__init__()
        if side < 16:
            raise ValueError(f"side must be at least 16, got {side}")
        self.conv = nn.Sequential(
            nn.Conv2d(1, 8, 5),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 5),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        cells = ((side - 4) // 2 - 4) // 2
        self.head = nn.Sequential(
            nn.Linear(16 * cells * cells, 64),
            nn.ReLU(inplace=True),
            nn.Linear(64, embedding_size),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(torch.flatten(self.conv(x), 1))
        return out


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
    )


class ConvSister(nn.Module):
    """Three conv-BatchNorm blocks and a global max-pool: where the digit lies does not
    matter to the embedding."""

    def __init__(self, side: int, embedding_size: int = 32, width: int = 32) -> None:
        super().__init__()
        if side < 16:
            raise ValueError(f"side must be at least 16, got {side}")
        self.conv = nn.Sequential(
            _block(1, width), _block(width, 2 * width), _block(2 * width, 2 * width)
        )
        self.head = nn.Sequential(
            nn.Linear(2 * width, 128),
            nn.ReLU(inplace=True),
            nn.Linear(128, embedding_size),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = torch.amax(self.conv(x), dim=(2, 3))
        out: torch.Tensor = self.head(pooled)
        return out


def make_sister(kind: SisterKind, side: int, embedding_size: int) -> nn.Module:
    if kind == "lenet":
        return Sister(side, embedding_size)
    if kind == "cnn":
        return ConvSister(side, embedding_size)
    raise ValueError(f"sister must be one of {', '.join(SISTERS)}, got {kind!r}")


def make_stn(
    localiser: Localiser, side: int, init_scale: float, s_max: float, crop: int | None = None
) -> ScaleTranslateSTN | HeatmapSTN:
    """GetNet's transformer for grey side² canvases, cropping to crop² (side² by default;
    8 channels)."""
    out = (crop or side, crop or side)
    if localiser == "heatmap":
        return HeatmapSTN(out, 8, 1, s_max=s_max, init_scale=init_scale)
    if localiser == "regress":
        # the optimiser gives the STN its own (lower) rate, so no gradient scaling here
        return ScaleTranslateSTN(
            (side, side),
            out,
            8,
            s_max=s_max,
            lr_scale=1.0,
            in_channels=1,
            init_scale=init_scale,
        )
    raise ValueError(f"localiser must be one of {', '.join(LOCALISERS)}, got {localiser!r}")


class PairingNet(nn.Module):
    """``sister(stn(x))`` (GetNet) or ``sister(x)`` (siamese); both branches share weights.

    GetNet's sister sees ``crop``² crops (the canvas's side by default). After
    :meth:`freeze_stn` the STN neither learns nor leaves eval mode (its BatchNorm keeps the
    statistics it came with), whatever the phase: a localiser carried from another run."""

    def __init__(
        self,
        model: PairingModel,
        side: int,
        embedding_size: int = 32,
        stn_init_scale: float = 1.0,
        sister: SisterKind = "lenet",
        localiser: Localiser = "regress",
        stn_s_max: float = S_MAX,
        crop: int | None = None,
    ) -> None:
        super().__init__()
        if model not in PAIRING_MODELS:
            raise ValueError(f"model must be one of {', '.join(PAIRING_MODELS)}, got {model!r}")
        if crop is not None and model != "getnet":
            raise ValueError(f"only getnet crops: the {model} network sees the whole canvas")
        self.model_name = model
        self.sister = make_sister(sister, crop or side, embedding_size)
        self.stn = (
            make_stn(localiser, side, stn_init_scale, stn_s_max, crop)
            if model == "getnet"
            else None
        )
        self.stn_frozen = False

    def freeze_stn(self) -> None:
        """Keep the STN as it is from now on: no gradient, eval mode (see the class)."""
        if self.stn is None:
            raise TypeError("the plain siamese network has no STN")
        self.stn_frozen = True
        self.stn.requires_grad_(False)
        self.stn.eval()

    def train(self, mode: bool = True) -> PairingNet:
        super().train(mode)
        if self.stn is not None and self.stn_frozen:
            self.stn.eval()
        return self

    def crops(self, x: torch.Tensor) -> torch.Tensor:
        """What the sister sees: the STN's crop (GetNet) or ``x`` itself."""
        if self.stn is None:
            return x
        out: torch.Tensor = self.stn(x)
        return out

    def params(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3) (s, tx, ty) of the STN (GetNet only)."""
        if self.stn is None:
            raise TypeError("the plain siamese network has no STN")
        return self.stn.params(x)

    def set_phase(self, phase: Phase) -> None:
        """GetNet's alternating training: freeze the sister in ``"stn"`` phases."""
        if self.stn is not None:
            apply_phase(self.stn, self.sister, phase)
            if self.stn_frozen:
                self.stn.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.sister(self.crops(x))
        return out
