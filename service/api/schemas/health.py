"""Liveness and readiness."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Health(BaseModel):
    """The process answers."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ok", "version": "0.1.0", "uptime_s": 812.4}]}
    )

    status: str = Field(description="Always ok.")
    version: str
    uptime_s: float = Field(description="Seconds since the service started.")


class StationReadiness(BaseModel):
    """One station's state as the pipeline sees it."""

    state: str = Field(description="Capture state: connecting, connected, waiting, finished...")
    connected: bool
    fps: float = Field(description="Frames captured per second lately.")
    last_frame_time: float | None = Field(description="Wall-clock seconds of the last frame.")
    frames: int = Field(description="Frames analysed.")
    masks_loaded: bool = Field(description="Whether the station's lift has masks to judge with.")


class Readiness(BaseModel):
    """Ready when the pipeline runs: inference worker alive and a model loaded."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ready": True,
                    "problems": [],
                    "model": "siamese-fast@3f2a9c01b7de",
                    "engine": "onnx-cpu",
                    "inference_worker_alive": True,
                    "stations": {
                        "lift-07-bottom": {
                            "state": "connected",
                            "connected": True,
                            "fps": 10.0,
                            "last_frame_time": 1767348000.2,
                            "frames": 5123,
                            "masks_loaded": True,
                        }
                    },
                }
            ]
        }
    )

    ready: bool
    problems: list[str] = Field(description="Why not ready (empty when ready).")
    model: str | None = Field(description="The loaded model: name@weights-hash.")
    engine: str | None = Field(description="The engine plugin and device.")
    inference_worker_alive: bool
    stations: dict[str, StationReadiness]
