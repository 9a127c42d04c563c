"""The alarm store: every alarm raised, durable before anyone is told about it.

The ``alarms`` table (see :mod:`service.alarms.schema`, beside ``alarm_deliveries``: where each
alarm event stands with the station's outputs) on SQLite by default (``<data_dir>/alarms.db``) or
PostgreSQL by URL. Each write is its own committed transaction, so once :meth:`AlarmStore.add`
returns the alarm is on disk. The store is thread-safe: station threads write while the API
reads (SQLAlchemy's connection pool; SQLite in WAL mode with a busy timeout).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import ColumnElement

from service.alarms import deliveries as delivery_sql
from service.alarms.cursor import ALARM_ID_PATTERN, Position, decode_cursor, encode_cursor
from service.alarms.deliveries import DeliveryRecord, DeliveryStatus, OutputHealth
from service.alarms.engine import AlarmStoreError, describe, mask_url, open_engine
from service.alarms.schema import alarms, record_from_row, row_from_record
from service.alarms.types import AlarmRecord, AlarmType, NewAlarm

logger = logging.getLogger(__name__)

SQLITE_FILE = "alarms.db"
MAX_LIMIT = 1000
Page = tuple[list[AlarmRecord], str | None]
"""A page of alarms, newest first, and the cursor of the next page (``None`` on the last)."""
Deliveries = list[DeliveryRecord]
Healths = list[OutputHealth]


class AlarmStore:
    """Alarms in a SQL database reached by a SQLAlchemy URL (tables created on open).

    Raises :class:`AlarmStoreError`, naming the URL with its password masked, when the database
    cannot be opened or a statement fails.
    """

    def __init__(self, url: str | URL) -> None:
        self.url = mask_url(url)
        """The database URL, password masked."""
        self._raw_url = url
        self._engine = open_engine(url)

    @classmethod
    def sqlite(cls, data_dir: Path) -> AlarmStore:
        """The default store: ``<data_dir>/alarms.db`` (the folder is created if missing)."""
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        return cls(URL.create("sqlite", database=str(data_dir / SQLITE_FILE)))

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for diagnostics and tests)."""
        return self._engine

    def add(
        self,
        alarm: NewAlarm,
        crop_snapshot: str | None = None,
        frame_snapshot: str | None = None,
        alarm_id: str | None = None,
        heatmap_snapshot: str | None = None,
    ) -> AlarmRecord:
        """Store ``alarm`` as ``alarm_id`` (a new uuid4 hex when ``None``); committed on return."""
        alarm_id = uuid.uuid4().hex if alarm_id is None else alarm_id
        if not ALARM_ID_PATTERN.fullmatch(alarm_id):
            raise ValueError(f"invalid alarm id {alarm_id!r}: expected 32 lower-case hex digits")
        record = AlarmRecord.from_new(
            alarm_id, alarm, crop_snapshot, frame_snapshot, heatmap_snapshot
        )
        with self._transaction("storing an alarm") as conn:
            conn.execute(insert(alarms).values(row_from_record(record)))
        logger.info("alarm %s stored: %s at %s", alarm_id, alarm.type, alarm.station_id)
        return record

    def get(self, alarm_id: str) -> AlarmRecord | None:
        """The alarm ``alarm_id``, or ``None`` (also for a string that is no alarm id)."""
        if not isinstance(alarm_id, str) or not ALARM_ID_PATTERN.fullmatch(alarm_id):
            return None
        with self._transaction("reading an alarm") as conn:
            return self._get(conn, alarm_id)

    def list(
        self,
        station_id: str | None = None,
        lift: str | None = None,
        type: AlarmType | None = None,
        acknowledged: bool | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        """Alarms matching every filter given, newest first, ``limit`` at most, after ``cursor``.

        ``since`` is inclusive and ``until`` exclusive (wall-clock seconds of ``raised_at``).
        Pass the returned cursor, with the same filters, for the next page. Raises
        ``ValueError`` for a cursor that is not one this store returned, or a bad ``limit``.
        """
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        conditions = _filters(station_id, lift, type, acknowledged, since, until)
        if cursor is not None:
            conditions.append(_after(decode_cursor(cursor)))
        query = (
            select(alarms)
            .where(*conditions)
            .order_by(alarms.c.raised_at.desc(), alarms.c.id.desc())
            .limit(limit + 1)
        )
        with self._transaction("listing alarms") as conn:
            rows = conn.execute(query).mappings().all()
        records = [record_from_row(row) for row in rows[:limit]]
        more = len(rows) > limit
        last = records[-1] if records else None
        next_cursor = encode_cursor(Position(last.raised_at, last.id)) if more and last else None
        return records, next_cursor

    def acknowledge(
        self, alarm_id: str, by: str, note: str | None, at: float
    ) -> AlarmRecord | None:
        """Mark the alarm acknowledged by ``by`` at ``at``; the record, or ``None`` if unknown.

        Idempotent: acknowledging an acknowledged alarm changes nothing (the first
        acknowledgement's who, when and note stay) and returns the record.
        """
        if not ALARM_ID_PATTERN.fullmatch(alarm_id):
            return None
        values = {"acknowledged_by": by, "acknowledged_at": at, "ack_note": note}
        statement = (
            update(alarms)
            .where(alarms.c.id == alarm_id, alarms.c.acknowledged_at.is_(None))
            .values(values)
        )
        with self._transaction("acknowledging an alarm") as conn:
            acknowledged = conn.execute(statement).rowcount
            record = self._get(conn, alarm_id)
        if acknowledged:
            logger.info("alarm %s acknowledged by %s", alarm_id, by)
        return record

    def clear(self, station_id: str, type: AlarmType, at: float) -> int:
        """Set ``cleared_at`` on the station's uncleared alarms of ``type``; how many it cleared."""
        statement = update(alarms).where(*_open_conditions(station_id, type)).values(cleared_at=at)
        with self._transaction("clearing alarms") as conn:
            cleared = int(conn.execute(statement).rowcount)
        if cleared:
            logger.info("%d %s alarm(s) of %s cleared", cleared, type, station_id)
        return cleared

    def open_alarm(self, station_id: str, type: AlarmType) -> AlarmRecord | None:
        """The station's newest uncleared alarm of ``type``, or ``None``."""
        query = (
            select(alarms)
            .where(*_open_conditions(station_id, type))
            .order_by(alarms.c.raised_at.desc(), alarms.c.id.desc())
            .limit(1)
        )
        with self._transaction("reading open alarms") as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else record_from_row(row)

    def counts(self) -> dict[tuple[str, str], tuple[int, int]]:
        """``(station_id, type)`` → (alarms stored, of which unacknowledged), for metrics."""
        query = select(
            alarms.c.station_id,
            alarms.c.type,
            func.count(),
            func.count(alarms.c.acknowledged_at),
        ).group_by(alarms.c.station_id, alarms.c.type)
        with self._transaction("counting alarms") as conn:
            rows = conn.execute(query).all()
        return {(str(s), str(t)): (int(n), int(n) - int(acked)) for s, t, n, acked in rows}

    def save_delivery(self, record: DeliveryRecord) -> None:
        """Record where an alarm event stands with one output (replacing what was recorded)."""
        with self._transaction("recording an alarm delivery") as conn:
            delivery_sql.save(conn, record)

    def deliveries(self, alarm_id: str) -> Deliveries:
        """The deliveries of the alarm ``alarm_id`` to its station's outputs, oldest first."""
        if not ALARM_ID_PATTERN.fullmatch(alarm_id):
            return []
        with self._transaction("reading alarm deliveries") as conn:
            return delivery_sql.of_alarm(conn, alarm_id)

    def deliveries_with_status(self, status: DeliveryStatus) -> Deliveries:
        """Every delivery in ``status`` (``pending`` ones are resumed after a restart)."""
        with self._transaction("reading alarm deliveries") as conn:
            return delivery_sql.with_status(conn, status)

    def delivery_health(self, now: float | None = None) -> Healths:
        """Per station and output: deliveries by status, attempts, failing or not (metrics)."""
        with self._transaction("summing alarm deliveries") as conn:
            return delivery_sql.health(conn, time.time() if now is None else now)

    def close(self) -> None:
        """Close every pooled connection (the store is not usable afterwards)."""
        self._engine.dispose()

    def __enter__(self) -> AlarmStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self, action: str) -> Iterator[Connection]:
        """One committed transaction; database errors become :class:`AlarmStoreError`."""
        try:
            with self._engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise AlarmStoreError(
                f"{action} failed on the alarm store at {self.url}: {describe(exc, self._raw_url)}"
            ) from exc

    @staticmethod
    def _get(conn: Connection, alarm_id: str) -> AlarmRecord | None:
        row = conn.execute(select(alarms).where(alarms.c.id == alarm_id)).mappings().first()
        return None if row is None else record_from_row(row)


def _filters(
    station_id: str | None,
    lift: str | None,
    type: AlarmType | None,
    acknowledged: bool | None,
    since: float | None,
    until: float | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for column, value in (("station_id", station_id), ("lift", lift), ("type", type)):
        if value is not None:
            conditions.append(alarms.c[column] == value)
    if acknowledged is not None:
        ack = alarms.c.acknowledged_at
        conditions.append(ack.is_not(None) if acknowledged else ack.is_(None))
    if since is not None:
        conditions.append(alarms.c.raised_at >= since)
    if until is not None:
        conditions.append(alarms.c.raised_at < until)
    return conditions


def _after(position: Position) -> ColumnElement[bool]:
    """Strictly after ``position`` in the newest-first order."""
    raised_at, alarm_id = alarms.c.raised_at, alarms.c.id
    return or_(
        raised_at < position.raised_at,
        and_(raised_at == position.raised_at, alarm_id < position.id),
    )


def _open_conditions(station_id: str, type: AlarmType) -> tuple[ColumnElement[bool], ...]:
    return (
        alarms.c.station_id == station_id,
        alarms.c.type == type,
        alarms.c.cleared_at.is_(None),
    )
