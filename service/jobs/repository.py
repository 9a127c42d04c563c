"""Job records in the alarm store's database: ``JobRepository(store.engine)``."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, insert, select, update

from service.jobs.schema import jobs, metadata, to_record, to_row
from service.jobs.types import JobRecord, JobStatus


class JobRepository:
    """Insert, update and read job records (creates the ``jobs`` table if missing)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        metadata.create_all(engine)

    def add(self, record: JobRecord) -> None:
        with self._lock, self.engine.begin() as conn:
            conn.execute(insert(jobs).values(**to_row(record)))

    def save(self, record: JobRecord) -> None:
        row = to_row(record)
        del row["id"]
        with self._lock, self.engine.begin() as conn:
            conn.execute(update(jobs).where(jobs.c.id == record.id).values(**row))

    def get(self, job_id: str) -> JobRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        return None if row is None else to_record(row)

    def list(self, status: JobStatus | None = None, limit: int = 100) -> list[JobRecord]:
        """Newest first (queued ones oldest first when ``status`` is ``queued``)."""
        query = select(jobs)
        if status is not None:
            query = query.where(jobs.c.status == status)
        order = jobs.c.created_at.asc() if status == "queued" else jobs.c.created_at.desc()
        query = query.order_by(order, jobs.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [to_record(row) for row in conn.execute(query).mappings()]
