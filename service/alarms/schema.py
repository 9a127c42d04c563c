"""The alarm tables (SQLAlchemy Core, the same on SQLite and PostgreSQL) and row ↔ record.

``alarms`` holds every alarm; ``alarm_deliveries`` the state of each alarm event's delivery to
each output of its station (see :mod:`service.alarms.deliveries`).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    RowMapping,
    String,
    Table,
    Text,
)

from service.alarms.types import AlarmRecord, AlarmType

metadata = MetaData()

alarms = Table(
    "alarms",
    metadata,
    Column("id", String(32), primary_key=True, comment="uuid4 hex"),
    Column("type", String(32), nullable=False),
    Column("station_id", String(128), nullable=False),
    Column("lift", String(128), nullable=True),
    Column("raised_at", Double, nullable=False, comment="wall-clock seconds"),
    Column("passage", BigInteger, nullable=True),
    Column("frame", BigInteger, nullable=True),
    Column("details", JSON, nullable=False),
    Column("crop_snapshot", String(255), nullable=True),
    Column("frame_snapshot", String(255), nullable=True),
    # added after the first release: open_engine adds it to older databases
    Column("heatmap_snapshot", String(255), nullable=True),
    Column("acknowledged_by", String(255), nullable=True),
    Column("acknowledged_at", Double, nullable=True),
    Column("ack_note", Text, nullable=True),
    Column("cleared_at", Double, nullable=True),
    # The feed pages newest first on (raised_at, id); stations look up their open alarms.
    Index("ix_alarms_raised_at_id", "raised_at", "id"),
    Index("ix_alarms_station_type_cleared", "station_id", "type", "cleared_at"),
)

alarm_deliveries = Table(
    "alarm_deliveries",
    metadata,
    Column(
        "alarm_id",
        String(32),
        ForeignKey("alarms.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("output", String(16), primary_key=True, comment="webhook or mqtt"),
    Column("event", String(8), primary_key=True, comment="new, update or end"),
    Column("station_id", String(128), nullable=False),
    Column("status", String(16), nullable=False, comment="pending, delivered or failed"),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", Double, nullable=False, comment="when the event was handed over"),
    Column("updated_at", Double, nullable=False),
    # metrics find each output's newest delivery; a restart resumes the pending ones
    Index("ix_alarm_deliveries_station_output_updated", "station_id", "output", "updated_at"),
    Index("ix_alarm_deliveries_status", "status"),
)


def record_from_row(row: RowMapping) -> AlarmRecord:
    """The :class:`AlarmRecord` of one ``alarms`` row (acknowledged: ``acknowledged_at`` set)."""
    return AlarmRecord(
        id=row["id"],
        type=cast(AlarmType, row["type"]),
        station_id=row["station_id"],
        lift=row["lift"],
        raised_at=row["raised_at"],
        passage=row["passage"],
        frame=row["frame"],
        details=row["details"] or {},
        crop_snapshot=row["crop_snapshot"],
        frame_snapshot=row["frame_snapshot"],
        heatmap_snapshot=row.get("heatmap_snapshot"),
        acknowledged=row["acknowledged_at"] is not None,
        acknowledged_by=row["acknowledged_by"],
        acknowledged_at=row["acknowledged_at"],
        ack_note=row["ack_note"],
        cleared_at=row["cleared_at"],
    )


def row_from_record(record: AlarmRecord) -> dict[str, Any]:
    """The column values of ``record`` (``acknowledged`` is implied by ``acknowledged_at``)."""
    row = record.to_dict()
    del row["acknowledged"]
    return row
