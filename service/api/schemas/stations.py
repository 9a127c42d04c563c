"""The station resource: what each running station is doing, with links to its images."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from service.pipeline.runtime import StationStatus

BarState = Literal["open", "closed"]
STATION_PREFIX = "/api/stations"
EXAMPLE: dict[str, Any] = {
    "id": "lift-07-bottom",
    "lift": "lift-07",
    "state": "connected",
    "connected": True,
    "camera_offline": False,
    "capture_fps": 10.0,
    "analysed_fps": 9.9,
    "last_frame_time": 1767348000.2,
    "frames_captured": 5123,
    "frames_analysed": 5120,
    "frames_registered": 2210,
    "registration_score": 0.83,
    "current_passage": 41,
    "last_decision": {
        "frame": 5119,
        "state": "closed",
        "d_open": 0.74,
        "d_closed": 0.18,
        "margin": 0.56,
        "model": "siamese-fast@c918f4ca5d67",
        "decided_at": 1767348000.25,
    },
    "last_passage": {
        "passage": 40,
        "state": "closed",
        "alarm": False,
        "departure_frame": 5071,
        "alarm_id": None,
    },
    "passages": {"open": 2, "closed": 38, "undecided": 0},
    "dropped": {"queue_full": 0, "corrupt": 0, "pace": 12},
    "queued_frames": 0,
    "reconnects": 0,
    "last_error": None,
    "links": {
        "frame": f"{STATION_PREFIX}/lift-07-bottom/frame.jpg",
        "registered": f"{STATION_PREFIX}/lift-07-bottom/registered.jpg",
        "reference": f"{STATION_PREFIX}/lift-07-bottom/reference.jpg",
    },
}


class Decision(BaseModel):
    """The last frame decision of a station."""

    frame: int
    state: BarState
    d_open: float
    d_closed: float
    margin: float
    model: str
    decided_at: float


class PassageSummary(BaseModel):
    """The last passage judged: the bar's state at departure and whether it alarmed."""

    passage: int
    state: BarState
    alarm: bool
    departure_frame: int = Field(description="Source frame index of the departure.")
    alarm_id: str | None


class StationLinks(BaseModel):
    """The station's images (JPEG): newest raw frame, newest registered crop, reference crop."""

    frame: str
    registered: str
    reference: str


class Station(BaseModel):
    """One running station. Times are wall-clock seconds since the epoch."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    id: str
    lift: str
    state: str = Field(description="Capture: starting, connecting, connected, waiting, finished.")
    connected: bool
    camera_offline: bool = Field(description="No good frame for too long: an alarm is open.")
    capture_fps: float
    analysed_fps: float
    last_frame_time: float | None
    frames_captured: int
    frames_analysed: int
    frames_registered: int
    registration_score: float | None = Field(description="Score of the last frame, in [-1, 1].")
    current_passage: int | None
    last_decision: Decision | None
    last_passage: PassageSummary | None
    passages: dict[str, int] = Field(description="Passages judged: open, closed, undecided.")
    dropped: dict[str, int] = Field(description="Frames dropped by capture, by reason.")
    queued_frames: int
    reconnects: int
    last_error: str | None
    links: StationLinks

    @classmethod
    def of(cls, station_id: str, lift: str, status: StationStatus) -> Station:
        c, a = status.capture, status.analysis
        d, r = a.last_decision, a.last_result
        base = f"{STATION_PREFIX}/{station_id}"
        return cls(
            id=station_id,
            lift=lift,
            state=c.state,
            connected=c.connected,
            camera_offline=c.offline,
            capture_fps=c.fps,
            analysed_fps=status.analysed_fps,
            last_frame_time=c.last_frame_time,
            frames_captured=c.frames,
            frames_analysed=a.frames,
            frames_registered=a.registered,
            registration_score=_finite(a.last_score),
            current_passage=a.current_passage,
            last_decision=None
            if d is None
            else Decision(
                frame=d.frame,
                state=d.state,
                d_open=d.d_open,
                d_closed=d.d_closed,
                margin=d.margin,
                model=d.model,
                decided_at=d.decided_at,
            ),
            last_passage=None
            if r is None
            else PassageSummary(
                passage=r.passage,
                state=r.state,
                alarm=r.alarm,
                departure_frame=r.departure_frame,
                alarm_id=r.alarm_id,
            ),
            passages={str(k): v for k, v in a.passages.items()},
            dropped={str(k): v for k, v in c.drops.items()},
            queued_frames=status.queued_frames,
            reconnects=c.reconnects,
            last_error=c.last_error,
            links=StationLinks(
                frame=f"{base}/frame.jpg",
                registered=f"{base}/registered.jpg",
                reference=f"{base}/reference.jpg",
            ),
        )


class StationList(BaseModel):
    """Every station the pipeline runs here (empty when none does)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [EXAMPLE]}]})

    items: list[Station]


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
