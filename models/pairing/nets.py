"""The two networks of Table I with the same sister: a plain siamese network and GetNet.

The sister (the paper's Fig. 2 is not described in its text; this is a LeNet-style CNN):
conv 5×5 8 → ReLU → max-pool 2 → conv 5×5 16 → ReLU → max-pool 2 → linear 64 → ReLU →
linear ``embedding_size`` (2.6 M multiply-accumulates at 60×60: sized for a shared 2-core
CPU). Its fully connected layers see where things lie, so a digit at a random place in clutter
is hard for it alone; GetNet puts ``models.zoo.stn.ScaleTranslateSTN`` in front (8 channels,
grey input; its crop has the canvas's size, so the sister is the very same network).

Both take (N, 1, S, S) canvases: ``forward`` gives embeddings, ``crops`` what the sister sees
(the input itself for the plain siamese network), ``params`` GetNet's (s, tx, ty).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from models.zoo.alternating import Phase, apply_phase
from models.zoo.stn import ScaleTranslateSTN

PairingModel = Literal["siamese", "getnet"]
PAIRING_MODELS: tuple[PairingModel, ...] = ("siamese", "getnet")


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


class PairingNet(nn.Module):
    """``sister(stn(x))`` (GetNet) or ``sister(x)`` (siamese); both branches share weights."""

    def __init__(
        self, model: PairingModel, side: int, embedding_size: int = 32, stn_init_scale: float = 1.0
    ) -> None:
        super().__init__()
        if model not in PAIRING_MODELS:
            raise ValueError(f"model must be one of {', '.join(PAIRING_MODELS)}, got {model!r}")
        self.model_name = model
        self.sister = Sister(side, embedding_size)
        # the optimiser gives the STN its own (lower) rate, so no gradient scaling here
        self.stn = (
            ScaleTranslateSTN(
                (side, side),
                (side, side),
                channels=8,
                lr_scale=1.0,
                in_channels=1,
                init_scale=stn_init_scale,
            )
            if model == "getnet"
            else None
        )

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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.sister(self.crops(x))
        return out
