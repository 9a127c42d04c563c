"""Ground truth of a synthetic station video: per passage, its frames and ``violation``.

``VideoTruth`` is what ``generate_station_video`` (``video.py``) returns and writes as
``truth.json``; ``PassageTruth`` is one carrier's passage in it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class PassageTruth:
    """One carrier's passage: frames where it is at least half inside the frame, its departure."""

    passage: int
    first_frame: int
    last_frame: int
    departure_frame: int
    violation: bool  # bar angle at the departure frame > CLOSED_MAX
    passengers: int
    kind: str  # "normal" | "never" | "late" | "partial"
    bar_angles: tuple[float, ...]  # one per frame, first_frame..last_frame
    bar_visible: float = 1.0  # share of the bar in sight at departure (others may hide it)


@dataclass(frozen=True)
class VideoTruth:
    """The ground truth of a station video (truth.json)."""

    fps: float
    frames: int
    passages: tuple[PassageTruth, ...]
    lift: int
    seed: int
    width: int
    height: int
    light: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for p in data["passages"]:
            p["bar_angles"] = list(p["bar_angles"])
        return data

    def to_json(self) -> str:
        """JSON text with one passage a line."""
        data = self.to_dict()
        passages = ",\n  ".join(json.dumps(p) for p in data.pop("passages"))
        return f'{json.dumps(data)[:-1]}, "passages": [\n  {passages}\n]}}\n'

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoTruth:
        passages = tuple(
            PassageTruth(**{**p, "bar_angles": tuple(p["bar_angles"])}) for p in data["passages"]
        )
        return cls(**{**data, "passages": passages})
