"""GetNet's alternating training (section III.D): the STN alone, then the whole network, in turn.

The paper trains "the STN and the overall network alternately": phases where the siamese
(sister) network is frozen and only the spatial transformer learns, and phases where every
weight learns; it gives no phase lengths. ``AlternatingSchedule`` makes that a schedule over
epochs (or any counted unit):

* the first ``warmup`` epochs train the whole network (an STN trained against a randomly
  initialised sister would chase meaningless features);
* then cycles of ``stn_epochs`` epochs of the STN alone followed by ``joint_epochs`` epochs of
  the whole network, until training ends.

``apply_phase(model, phase)`` freezes by ``requires_grad``: in an ``"stn"`` phase the sister's
parameters get no gradient, so optimisers skip them (SGD and Adam skip parameters whose
``grad`` is None; ``fit`` zeroes gradients with ``set_to_none``), and their momentum is kept
for the next joint phase. BatchNorm running statistics are buffers, not parameters: they are
re-estimated before every validation anyway (``models.zoo.batchnorm``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from torch import nn

log = logging.getLogger(__name__)
Phase = Literal["joint", "stn"]
PHASES: tuple[Phase, ...] = ("joint", "stn")


@dataclass(frozen=True)
class AlternatingSchedule:
    """Which phase each epoch (0-based) trains: ``warmup`` joint epochs, then cycles of
    ``stn_epochs`` STN-only and ``joint_epochs`` joint epochs."""

    warmup: int = 1
    stn_epochs: int = 1
    joint_epochs: int = 1

    def __post_init__(self) -> None:
        for name in ("warmup", "stn_epochs", "joint_epochs"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.stn_epochs + self.joint_epochs == 0:
            raise ValueError("stn_epochs + joint_epochs must be > 0")

    def phase(self, epoch: int) -> Phase:
        """The phase of ``epoch`` (0-based)."""
        if epoch < 0:
            raise ValueError(f"epoch must be >= 0, got {epoch}")
        if epoch < self.warmup:
            return "joint"
        within = (epoch - self.warmup) % (self.stn_epochs + self.joint_epochs)
        return "stn" if within < self.stn_epochs else "joint"

    def phases(self, epochs: int) -> list[Phase]:
        """The phases of the first ``epochs`` epochs."""
        return [self.phase(e) for e in range(epochs)]


def apply_phase(stn: nn.Module, sister: nn.Module, phase: Phase) -> None:
    """Set ``requires_grad``: the STN always learns; the sister only in ``"joint"`` phases."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}, got {phase!r}")
    for p in stn.parameters():
        p.requires_grad_(True)
    for p in sister.parameters():
        p.requires_grad_(phase == "joint")
    log.debug("training phase %s", phase)
