"""The ``jobs`` table (SQLAlchemy Core, beside the alarm tables in the same database)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import JSON, Column, Double, Index, Integer, MetaData, RowMapping, String, Table

from service.jobs.types import JobKind, JobRecord, JobStatus

metadata = MetaData()

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True, comment="uuid4 hex"),
    Column("kind", String(16), nullable=False),
    Column("model", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("params", JSON, nullable=False),
    Column("commands", JSON, nullable=False),
    Column("created_at", Double, nullable=False, comment="wall-clock seconds"),
    Column("started_at", Double, nullable=True),
    Column("ended_at", Double, nullable=True),
    Column("pid", Integer, nullable=True, comment="process group of the running step"),
    Column("step", Integer, nullable=False),
    Column("error", String(2000), nullable=True),
    Column("result", JSON, nullable=False),
    Index("ix_jobs_status_created", "status", "created_at"),
)


def to_row(record: JobRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "model": record.model,
        "status": record.status,
        "params": record.params,
        "commands": record.commands,
        "created_at": record.created_at,
        "started_at": record.started_at,
        "ended_at": record.ended_at,
        "pid": record.pid,
        "step": record.step,
        "error": record.error,
        "result": record.result,
    }


def to_record(row: RowMapping) -> JobRecord:
    return JobRecord(
        id=row["id"],
        kind=cast(JobKind, row["kind"]),
        model=row["model"],
        status=cast(JobStatus, row["status"]),
        params=dict(row["params"]),
        commands=[list(c) for c in row["commands"]],
        created_at=row["created_at"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        pid=row["pid"],
        step=row["step"],
        error=row["error"],
        result=dict(row["result"]),
    )
