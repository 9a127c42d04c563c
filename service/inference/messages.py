"""What the inference stage takes and gives: registered crops in, per-frame decisions out.

Both are frozen dataclasses passed over bounded queues (the design guide's stage contract).
``margin`` follows models.zoo.decision: ``|d_open − d_closed| ≥ 0``, how sure the decision is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

BarState = Literal["open", "closed"]


@dataclass(frozen=True, eq=False)
class CropRequest:
    """One registered crop of a station's frame, to be judged against its lift's masks."""

    station_id: str
    lift: str
    frame: int
    """The station's frame number (``Frame.index``: never goes back, not even when a source
    reconnects or a file loops); in a replay, the video's frame index."""
    timestamp: float
    """Wall-clock seconds when the frame was captured: frame-to-decision latency starts here."""
    crop: np.ndarray
    """BGR uint8 (crop, crop, 3): the registered carrier."""
    passage: int | None = None
    """The passage the frame belongs to, when the tracker has placed it in one."""


@dataclass(frozen=True)
class FrameDecision:
    """The bar state of one registered frame: nearer mask, both distances, margin."""

    station_id: str
    lift: str
    frame: int
    timestamp: float
    passage: int | None
    state: BarState
    d_open: float
    d_closed: float
    margin: float
    """``|d_open − d_closed|``."""
    model: str
    """The engine's model id (name and version) that decided."""
    decided_at: float
    """Wall-clock seconds when the decision was made."""
