"""Fakes for the analyser tests: a registrar that plays a script, a station config."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from service.config import StationConfig
from service.inference.messages import CropRequest, FrameDecision
from service.registration.types import Registration, SearchHint

SHAPE = (120, 160, 3)


class ScriptedRegistrar:
    """Returns, frame after frame, the registrations of a script of offsets (None: no carrier).

    Each crop is filled with its frame number so that tests can tell crops apart; the hints
    the analyser gave are kept in ``hints``.
    """

    def __init__(self, offsets: Sequence[float | None]) -> None:
        self.offsets = list(offsets)
        self.k = 0
        self.reference = type("Ref", (), {"image": np.zeros(SHAPE, np.uint8)})()
        self.hints: list[SearchHint | None] = []

    def register(self, frame: np.ndarray, hint: SearchHint | None = None) -> Registration:
        self.hints.append(hint)
        dx = self.offsets[self.k] if self.k < len(self.offsets) else None
        value = self.k % 256
        self.k += 1
        affine = np.eye(2, 3)
        if dx is None:
            return Registration(None, 0.1, affine, False, (0.0, 0.0))
        if hint is not None and not hint.align:  # as the registrar: found, not cropped
            return Registration(None, 0.9, affine, True, (dx, 0.0))
        crop = np.full((20, 20, 3), value, np.uint8)
        return Registration(crop, 0.9, affine, True, (dx, 0.0))


def carrier(frames: int = 13, step: float = 5.0) -> list[float | None]:
    """One carrier crossing its departure point: offsets -30..+30 (frames 0..12)."""
    return [(k - frames // 2) * step for k in range(frames)]


def station_config(
    tmp_path: Path, *, align_every_frame: bool = True, **alarm: object
) -> StationConfig:
    reference = tmp_path / "reference.png"
    cv2.imwrite(str(reference), np.zeros(SHAPE, np.uint8))
    return StationConfig.model_validate(
        {
            "id": "test-station",
            "lift": "lift-01",
            "source": "0",
            "fps": 10,
            "registration": {
                "reference": str(reference),
                "roi": [40, 30, 60, 60],
                "align_every_frame": align_every_frame,
            },
            "alarm": alarm,
        }
    )


def decide(request: CropRequest, state: str, margin: float = 0.5, at: float = 0.0) -> FrameDecision:
    d_open, d_closed = (0.2, 0.2 + margin) if state == "open" else (0.2 + margin, 0.2)
    return FrameDecision(
        request.station_id,
        request.lift,
        request.frame,
        request.timestamp,
        request.passage,
        "open" if state == "open" else "closed",
        d_open,
        d_closed,
        margin,
        "fake",
        at,
    )
