"""Station configs: one YAML file per boarding-station camera, validated with pydantic."""

from __future__ import annotations

from service.config.alarm import AlarmConfig
from service.config.capture import CaptureConfig
from service.config.errors import Problem, StationConfigError
from service.config.loader import load_station_config, load_station_dir, station_files
from service.config.outputs import MqttConfig, OutputsConfig, WebhookConfig
from service.config.registration import RegistrationConfig
from service.config.source import SourceKind, source_kind
from service.config.station import StationConfig

__all__ = [
    "AlarmConfig",
    "CaptureConfig",
    "MqttConfig",
    "OutputsConfig",
    "Problem",
    "RegistrationConfig",
    "SourceKind",
    "StationConfig",
    "StationConfigError",
    "WebhookConfig",
    "load_station_config",
    "load_station_dir",
    "source_kind",
    "station_files",
]
