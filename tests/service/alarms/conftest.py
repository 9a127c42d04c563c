"""Fixtures of the alarm tests: alarms, and an alarm store on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from service.alarms import AlarmStore, NewAlarm
from service.alarms.engine import mask_url
from service.alarms.schema import alarms

POSTGRES_URL = os.environ.get(
    "LIFTWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
"""Where the PostgreSQL variants of the store tests run (each in a schema of its own)."""


def make_alarm(**fields: Any) -> NewAlarm:
    """A ``bar_open_at_departure`` alarm of st-1 / lift-1, any field overridden."""
    values: dict[str, Any] = {
        "type": "bar_open_at_departure",
        "station_id": "st-1",
        "lift": "lift-1",
        "raised_at": 1_700_000_000.0,
        "passage": 3,
        "frame": 120,
        "details": {"open_frames": 3, "margin": 0.25, "model": "m@1", "flag": True, "x": None},
    }
    values.update(fields)
    return NewAlarm(**values)


def _postgres_schema() -> Iterator[str]:
    """A fresh schema on the test server, dropped afterwards; skips when there is no server."""
    psycopg = pytest.importorskip("psycopg")
    conninfo = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"alarms_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(conninfo, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())
        pytest.skip(f"PostgreSQL not reachable at {mask_url(POSTGRES_URL)}: {reason}")
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield schema
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def postgres_store() -> Iterator[AlarmStore]:
    """One store on PostgreSQL for the session, in a schema of its own (dropped at the end)."""
    for schema in _postgres_schema():
        separator = "&" if "?" in POSTGRES_URL else "?"
        alarm_store = AlarmStore(f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}")
        yield alarm_store
        alarm_store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AlarmStore]:
    """An empty :class:`AlarmStore`: a new SQLite file, or the PostgreSQL one emptied."""
    if request.param == "sqlite":
        alarm_store = AlarmStore(f"sqlite:///{tmp_path / 'alarms.db'}")
        yield alarm_store
        alarm_store.close()
        return
    alarm_store = request.getfixturevalue("postgres_store")
    with alarm_store.engine.begin() as conn:
        conn.execute(delete(alarms))
    yield alarm_store


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[AlarmStore]:
    """The default store: ``alarms.db`` in ``tmp_path``."""
    alarm_store = AlarmStore.sqlite(tmp_path)
    yield alarm_store
    alarm_store.close()
