"""The alarm types: what the pipeline raises (:class:`NewAlarm`) and what the store keeps
(:class:`AlarmRecord`). Both are frozen; ``details`` is a read-only mapping of JSON scalars."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal, TypeAlias, get_args

AlarmType = Literal["bar_open_at_departure", "camera_offline"]
ALARM_TYPES: tuple[AlarmType, ...] = get_args(AlarmType)

DetailValue: TypeAlias = float | int | str | bool | None
Details: TypeAlias = Mapping[str, DetailValue]


def frozen_details(details: Mapping[str, Any]) -> Details:
    """A read-only copy of ``details``; raises ``ValueError`` on a value JSON cannot store.

    Keys must be strings and values JSON scalars; floats must be finite (neither PostgreSQL's
    JSON nor strict JSON parsers accept NaN or infinity).
    """
    for key, value in details.items():
        if not isinstance(key, str):
            raise ValueError(f"alarm detail keys must be strings, got {key!r}")
        if value is not None and not isinstance(value, float | int | str | bool):
            raise ValueError(f"alarm detail {key!r} must be a JSON scalar, got {type(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"alarm detail {key!r} must be finite, got {value}")
    return MappingProxyType(dict(details))


@dataclass(frozen=True)
class NewAlarm:
    """An alarm the pipeline has decided to raise, before it is stored."""

    type: AlarmType
    station_id: str
    lift: str | None
    """The station's lift; ``None`` only for a station-level alarm whose lift is unknown."""
    raised_at: float
    """Wall-clock seconds (``time.time()``) of the event that raised it."""
    passage: int | None = None
    frame: int | None = None
    """Source frame index the alarm is about (the departure frame for a bar alarm)."""
    details: Details = field(default_factory=dict)
    """E.g. ``open_frames``, ``margin`` (bar) or ``offline_for_s``, ``reason`` (camera)."""

    def __post_init__(self) -> None:
        if self.type not in ALARM_TYPES:
            raise ValueError(f"unknown alarm type {self.type!r}; expected one of {ALARM_TYPES}")
        if not math.isfinite(self.raised_at):
            raise ValueError(f"raised_at must be finite, got {self.raised_at}")
        object.__setattr__(self, "details", frozen_details(self.details))


@dataclass(frozen=True)
class AlarmRecord:
    """An alarm as stored: the :class:`NewAlarm` fields plus its id, snapshots and life cycle."""

    id: str
    """uuid4 hex (32 lower-case hex digits)."""
    type: AlarmType
    station_id: str
    lift: str | None
    raised_at: float
    passage: int | None
    frame: int | None
    details: Details
    crop_snapshot: str | None = None
    """The registered crop's JPEG, relative to the snapshot root (``<station>/<id>_crop.jpg``)."""
    frame_snapshot: str | None = None
    """The full frame's JPEG, relative to the snapshot root."""
    heatmap_snapshot: str | None = None
    """The crop's Dist-CAM heatmap overlay (JPEG, relative to the snapshot root)."""
    acknowledged: bool = False
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    ack_note: str | None = None
    cleared_at: float | None = None
    """When the condition ended (``camera_offline`` recovered); ``None`` while it lasts."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", frozen_details(self.details))

    @classmethod
    def from_new(
        cls,
        alarm_id: str,
        alarm: NewAlarm,
        crop_snapshot: str | None = None,
        frame_snapshot: str | None = None,
        heatmap_snapshot: str | None = None,
    ) -> AlarmRecord:
        """The record of a freshly stored, unacknowledged, uncleared alarm."""
        return cls(
            id=alarm_id,
            type=alarm.type,
            station_id=alarm.station_id,
            lift=alarm.lift,
            raised_at=alarm.raised_at,
            passage=alarm.passage,
            frame=alarm.frame,
            details=alarm.details,
            crop_snapshot=crop_snapshot,
            frame_snapshot=frame_snapshot,
            heatmap_snapshot=heatmap_snapshot,
        )

    @property
    def is_open(self) -> bool:
        """Whether the condition still lasts (not cleared)."""
        return self.cleared_at is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (``details`` as a plain dict)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["details"] = dict(self.details)
        return data
