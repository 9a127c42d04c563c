"""The per-passage results of a station's pipeline: the replay contract of the design guide.

``liftwatch replay`` writes ``{"station", "lift", "source", "fps", "frames", "model",
"passages": [...], "summary": {...}}``; each passage is ``{passage, first_frame, last_frame,
departure_frame, state, alarm, frames}`` with frame indices of the source video, and ``frames``
the per-frame decisions of the passage (frame, state, both distances, margin) with where the
registrar put the carrier in that frame (offset, scale, score).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from service.inference.messages import BarState, FrameDecision


@dataclass(frozen=True)
class Placement:
    """Where the registrar put the carrier in one frame: its offset from the reference
    position (frame pixels), its size relative to the reference carrier's, the match score."""

    offset: tuple[float, float]
    scale: float
    score: float


@dataclass(frozen=True)
class FrameResult:
    """One decided frame of a passage, and where its crop was taken (None: not known)."""

    frame: int
    state: BarState
    d_open: float
    d_closed: float
    margin: float
    offset: tuple[float, float] | None = None
    scale: float | None = None
    score: float | None = None

    @classmethod
    def of(
        cls, decision: FrameDecision, frame: int, placed: Placement | None = None
    ) -> FrameResult:
        return cls(
            frame,
            decision.state,
            round(decision.d_open, 5),
            round(decision.d_closed, 5),
            round(decision.margin, 5),
            None if placed is None else (round(placed.offset[0], 2), round(placed.offset[1], 2)),
            None if placed is None else round(placed.scale, 4),
            None if placed is None else round(placed.score, 4),
        )


@dataclass(frozen=True)
class PassageResult:
    """One carrier's passage, judged by the station's alarm rule."""

    passage: int
    first_frame: int
    last_frame: int
    departure_frame: int
    state: BarState
    """The bar's state at departure as the alarm rule judged it."""
    alarm: bool
    frames: tuple[FrameResult, ...]
    open_frames: int
    """Frames of the departure window judged open."""
    judged_frames: int
    """Frames of the departure window that had a decision."""
    alarm_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["frames"] = [asdict(f) for f in self.frames]
        return data


@dataclass
class ReplayResult:
    """A whole replay: the station, what was run, every passage and a summary."""

    station: str
    lift: str
    source: str
    fps: float
    frames: int
    model: str
    engine: str
    passages: list[PassageResult] = field(default_factory=list)
    registered_frames: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        alarms = sum(p.alarm for p in self.passages)
        return {
            "passages": len(self.passages),
            "alarms": alarms,
            "frames": self.frames,
            "registered_frames": self.registered_frames,
            "seconds": round(self.seconds, 3),
            "fps": round(self.frames / self.seconds, 1) if self.seconds > 0 else None,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "lift": self.lift,
            "source": self.source,
            "fps": self.fps,
            "frames": self.frames,
            "model": self.model,
            "engine": self.engine,
            "passages": [p.to_dict() for p in self.passages],
            "summary": self.summary(),
        }

    def write(self, path: Path) -> None:
        """One passage a line, so that a result file reads (and diffs) passage by passage."""
        data = self.to_dict()
        passages = ",\n  ".join(json.dumps(p) for p in data.pop("passages"))
        head = json.dumps(data)[:-1]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'{head}, "passages": [\n  {passages}\n]}}\n', encoding="utf-8")
