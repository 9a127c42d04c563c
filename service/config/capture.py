"""``capture:`` of a station config: timeouts, reconnection and queueing of the capture worker."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CaptureConfig(BaseModel):
    """How the station's capture worker reads its source; every key has a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    open_timeout_s: float = Field(
        default=10.0, gt=0, description="Seconds an open of the source may take before it fails."
    )
    stall_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="Seconds without a frame from an open source before it counts as stalled "
        "and is reopened.",
    )
    backoff_initial_s: float = Field(
        default=0.5, gt=0, description="First wait before reopening a failed source."
    )
    backoff_max_s: float = Field(
        default=30.0,
        gt=0,
        description="Longest wait between reopenings; the wait doubles after each failure up "
        "to it.",
    )
    corrupt_frames_max: int = Field(
        default=5,
        ge=1,
        description="Corrupt frames in a row (empty, wrong type or shape) after which the source "
        "is reopened; each is dropped and counted.",
    )
    queue_size: int = Field(
        default=8,
        ge=1,
        le=10_000,
        description="Frames the station's queue holds; when full the oldest frame is dropped.",
    )
    offline_alarm_after_s: float = Field(
        default=30.0,
        gt=0,
        description="Seconds without a good frame after which the camera_offline alarm is raised.",
    )
    loop: bool = Field(
        default=True,
        description="Video file sources only: start again from the first frame at the end "
        "(demo videos); when false the worker finishes at the end of the file.",
    )

    @model_validator(mode="after")
    def _backoff_order(self) -> CaptureConfig:
        if self.backoff_max_s < self.backoff_initial_s:
            raise ValueError(
                f"backoff_max_s ({self.backoff_max_s:g}) is below backoff_initial_s "
                f"({self.backoff_initial_s:g})"
            )
        return self
