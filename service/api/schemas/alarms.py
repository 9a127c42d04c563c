"""The alarm resource: an alarm with its snapshot links, a page of them, an acknowledgement."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.alarms import AlarmRecord, AlarmType, DeliveryRecord, DeliveryStatus, OutputKind
from service.alarms.bus import EventKind
from service.alarms.types import DetailValue

ALARM_PREFIX = "/api/alarms"
EXAMPLE_ID = "3f2a9c01b7de4c5fa0e1d2c3b4a59687"
EXAMPLE: dict[str, Any] = {
    "id": EXAMPLE_ID,
    "type": "bar_open_at_departure",
    "station_id": "lift-07-bottom",
    "lift": "lift-07",
    "raised_at": 1767348000.25,
    "passage": 41,
    "frame": 12873,
    "details": {"open_frames": 4, "judged_frames": 6, "margin": 0.31, "model": "siamese-fast@3f"},
    "acknowledged": False,
    "acknowledged_by": None,
    "acknowledged_at": None,
    "ack_note": None,
    "cleared_at": None,
    "snapshots": {
        "crop": f"{ALARM_PREFIX}/{EXAMPLE_ID}/snapshots/crop",
        "frame": f"{ALARM_PREFIX}/{EXAMPLE_ID}/snapshots/frame",
        "heatmap": f"{ALARM_PREFIX}/{EXAMPLE_ID}/snapshots/heatmap",
    },
}


class SnapshotLinks(BaseModel):
    """Where to download the alarm's pictures (JPEG); ``null`` when none was saved."""

    crop: str | None = Field(description="The registered 200×200 crop of the carrier.")
    frame: str | None = Field(description="The full camera frame.")
    heatmap: str | None = Field(
        default=None,
        description="Bar alarms: the crop's Dist-CAM heatmap over it (red: what the model "
        "matched with the nearer mask), computed with the model active when it was raised.",
    )


class Alarm(BaseModel):
    """One alarm as stored. Times are wall-clock seconds since the epoch (UTC)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    id: str = Field(description="32 lower-case hex digits.")
    type: AlarmType = Field(description="bar_open_at_departure or camera_offline.")
    station_id: str
    lift: str | None
    raised_at: float = Field(description="When the event that raised it happened.")
    passage: int | None = Field(description="The carrier passage (bar alarms).")
    frame: int | None = Field(description="Source frame index (the departure frame).")
    details: dict[str, DetailValue] = Field(description="Evidence: margins, frame counts, model.")
    acknowledged: bool
    acknowledged_by: str | None = Field(description="The name of the key that acknowledged it.")
    acknowledged_at: float | None
    ack_note: str | None
    cleared_at: float | None = Field(description="When the condition ended (camera back).")
    snapshots: SnapshotLinks

    @classmethod
    def from_record(cls, record: AlarmRecord) -> Alarm:
        base = f"{ALARM_PREFIX}/{record.id}/snapshots"
        return cls(
            id=record.id,
            type=record.type,
            station_id=record.station_id,
            lift=record.lift,
            raised_at=record.raised_at,
            passage=record.passage,
            frame=record.frame,
            details=dict(record.details),
            acknowledged=record.acknowledged,
            acknowledged_by=record.acknowledged_by,
            acknowledged_at=record.acknowledged_at,
            ack_note=record.ack_note,
            cleared_at=record.cleared_at,
            snapshots=SnapshotLinks(
                crop=f"{base}/crop" if record.crop_snapshot else None,
                frame=f"{base}/frame" if record.frame_snapshot else None,
                heatmap=f"{base}/heatmap" if record.heatmap_snapshot else None,
            ),
        )


DELIVERY_EXAMPLE: dict[str, Any] = {
    "output": "webhook",
    "event": "new",
    "status": "delivered",
    "attempts": 2,
    "last_error": None,
    "created_at": 1767348000.31,
    "updated_at": 1767348001.42,
}


class Delivery(BaseModel):
    """Where one event of the alarm stands with one output of its station (webhook, MQTT)."""

    output: OutputKind = Field(description="webhook or mqtt.")
    event: EventKind = Field(description="new, update (acknowledged) or end (cleared).")
    status: DeliveryStatus = Field(
        description="pending (being tried), delivered (accepted), failed (retries exhausted)."
    )
    attempts: int = Field(description="Attempts made so far.")
    last_error: str | None = Field(description="Why the last failed attempt failed.")
    created_at: float = Field(description="When the event was handed to the output.")
    updated_at: float = Field(description="When this state was recorded.")

    @classmethod
    def from_record(cls, record: DeliveryRecord) -> Delivery:
        return cls(
            output=record.output,
            event=record.event,
            status=record.status,
            attempts=record.attempts,
            last_error=record.last_error,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class AlarmDetail(Alarm):
    """One alarm, with the state of its deliveries to the station's outputs."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**EXAMPLE, "deliveries": [DELIVERY_EXAMPLE]}]}
    )

    deliveries: list[Delivery] = Field(
        description="One entry per output and event; empty when the station has no outputs."
    )

    @classmethod
    def of(cls, record: AlarmRecord, deliveries: list[DeliveryRecord]) -> AlarmDetail:
        alarm = Alarm.from_record(record)
        return cls(**alarm.model_dump(), deliveries=[Delivery.from_record(d) for d in deliveries])


class AlarmPage(BaseModel):
    """Alarms newest first; pass ``next_cursor`` back (same filters) for the next page."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [EXAMPLE], "next_cursor": "MHgxLjk..."}]}
    )

    items: list[Alarm]
    next_cursor: str | None = Field(description="Opaque; null on the last page.")


class AckRequest(BaseModel):
    """An acknowledgement; who and when come from the key and the server's clock."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "bar closed by the attendant"}]}
    )

    note: str | None = Field(default=None, max_length=1000, description="What was done about it.")
