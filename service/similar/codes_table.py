"""The ``alarm_hash_codes`` table: each alarm's code under a model, cached (SQLite, PostgreSQL).

It is declared on the alarm tables' ``metadata`` (so ``metadata.create_all`` creates it with the
others wherever this module was imported first) and created on first use otherwise. Rows go with
their alarm where the database enforces foreign keys (PostgreSQL: ``ON DELETE CASCADE``; the
store deletes no alarm anyway). ``model`` is the hasher's key (name and weights digest): a new
model's codes are computed afresh, never mixed with the old ones.
"""

from __future__ import annotations

import logging

from sqlalchemy import BigInteger, Column, Double, Engine, ForeignKey, String, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from service.alarms.engine import AlarmStoreError, describe
from service.alarms.schema import metadata

logger = logging.getLogger(__name__)

alarm_hash_codes = Table(
    "alarm_hash_codes",
    metadata,
    Column("alarm_id", String(32), ForeignKey("alarms.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(96), primary_key=True, comment="hashing model name:weights digest"),
    Column("code", BigInteger, nullable=False, comment="the bits, bit i = hash output i"),
    Column("computed_at", Double, nullable=False, comment="wall-clock seconds"),
)


class HashCodeStore:
    """Cached codes in the alarm database of ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        try:
            alarm_hash_codes.create(engine, checkfirst=True)
        except SQLAlchemyError as exc:
            raise AlarmStoreError(
                f"cannot create alarm_hash_codes: {describe(exc, engine.url)}"
            ) from exc

    def get(self, model: str, alarm_ids: list[str]) -> dict[str, int]:
        """The cached codes of ``alarm_ids`` under ``model`` (missing ones absent)."""
        found: dict[str, int] = {}
        table = alarm_hash_codes
        try:
            with self.engine.connect() as conn:
                for start in range(0, len(alarm_ids), 500):
                    part = alarm_ids[start : start + 500]
                    query = select(table.c.alarm_id, table.c.code).where(
                        table.c.model == model, table.c.alarm_id.in_(part)
                    )
                    found.update({row.alarm_id: int(row.code) for row in conn.execute(query)})
        except SQLAlchemyError as exc:
            raise AlarmStoreError(f"reading hash codes: {describe(exc, self.engine.url)}") from exc
        return found

    def put(self, model: str, codes: dict[str, int], at: float) -> None:
        """Store ``codes`` (alarm id → code) under ``model``; an existing row is kept."""
        if not codes:
            return
        rows = [
            {"alarm_id": a, "model": model, "code": c, "computed_at": at} for a, c in codes.items()
        ]
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(alarm_hash_codes).values(rows).on_conflict_do_nothing()
        try:
            with self.engine.begin() as conn:
                conn.execute(statement)
        except SQLAlchemyError as exc:
            raise AlarmStoreError(f"storing hash codes: {describe(exc, self.engine.url)}") from exc
        logger.debug("cached %d hash codes under %s", len(rows), model)
