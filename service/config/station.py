"""The station config: one YAML file per boarding-station camera (contract in DESIGN.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from service.config.alarm import AlarmConfig
from service.config.capture import CaptureConfig
from service.config.outputs import OutputsConfig
from service.config.registration import RegistrationConfig
from service.config.source import SourceKind, parse_source, source_kind
from service.config.types import Slug


class StationConfig(BaseModel):
    """One station: its camera, the lift it films, how frames are registered and alarmed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug = Field(description="The station's unique id, a slug (e.g. lift-03-bottom).")
    lift: Slug = Field(description="The lift the station films, a slug (e.g. lift-03); its masks.")
    source: int | str = Field(
        description="The camera: a video file (relative to the config file), an rtsp:// or "
        "http(s):// MJPEG URL, or a camera index."
    )
    fps: float = Field(
        gt=0, le=120, description="Target frames per second the capture worker delivers."
    )
    registration: RegistrationConfig = Field(
        description="Reference frame, carrier ROI, search area, crop size and minimum score."
    )
    alarm: AlarmConfig = Field(
        default_factory=AlarmConfig, description="The bar-open-at-departure alarm rule."
    )
    capture: CaptureConfig = Field(
        default_factory=CaptureConfig,
        description="Timeouts, reconnection backoff, queue size and offline alarm of capture.",
    )
    enabled: bool = Field(default=True, description="Whether `liftwatch serve` runs the station.")
    outputs: OutputsConfig = Field(
        default_factory=OutputsConfig,
        description="Where alarms are delivered besides the API: a signed webhook, MQTT.",
    )

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: Any, info: ValidationInfo) -> int | str:
        return parse_source(value, info)

    @property
    def source_kind(self) -> SourceKind:
        """``file``, ``rtsp``, ``http`` or ``camera``."""
        return source_kind(self.source)
