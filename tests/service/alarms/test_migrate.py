"""An alarm database from before the heatmap column gets it on open; its rows still read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from service.alarms import AlarmStore
from service.alarms.store import SQLITE_FILE
from tests.service.alarms.conftest import POSTGRES_URL, _postgres_schema, make_alarm

OLD_ALARMS = """CREATE TABLE alarms (
    id VARCHAR(32) PRIMARY KEY, type VARCHAR(32) NOT NULL, station_id VARCHAR(128) NOT NULL,
    lift VARCHAR(128), raised_at FLOAT NOT NULL, passage BIGINT, frame BIGINT,
    details JSON NOT NULL, crop_snapshot VARCHAR(255), frame_snapshot VARCHAR(255),
    acknowledged_by VARCHAR(255), acknowledged_at FLOAT, ack_note TEXT, cleared_at FLOAT)"""
OLD_ID = "ab" * 16


def test_an_old_database_gains_the_heatmap_column(tmp_path: Path) -> None:
    path = tmp_path / SQLITE_FILE
    with sqlite3.connect(path) as db:
        db.execute(OLD_ALARMS)
        db.execute(
            "INSERT INTO alarms (id, type, station_id, raised_at, details, crop_snapshot) "
            "VALUES (?, 'bar_open_at_departure', 'st-1', 1.0, '{}', 'st-1/x_crop.jpg')",
            (OLD_ID,),
        )
    store = AlarmStore.sqlite(tmp_path)
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(alarms)")]
    assert "heatmap_snapshot" in columns
    old = store.get(OLD_ID)
    assert old is not None and old.crop_snapshot == "st-1/x_crop.jpg"
    assert old.heatmap_snapshot is None
    new = store.add(make_alarm(), heatmap_snapshot="st-1/y_heatmap.jpg")
    stored = store.get(new.id)
    assert stored is not None and stored.heatmap_snapshot == "st-1/y_heatmap.jpg"
    AlarmStore.sqlite(tmp_path)  # opening again changes nothing


def test_an_old_postgresql_database_gains_the_heatmap_column() -> None:
    for schema in _postgres_schema():
        separator = "&" if "?" in POSTGRES_URL else "?"
        url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(OLD_ALARMS.replace("FLOAT", "DOUBLE PRECISION")))
            conn.execute(
                text(
                    "INSERT INTO alarms (id, type, station_id, raised_at, details) "
                    "VALUES (:id, 'bar_open_at_departure', 'st-1', 1.0, '{}')"
                ),
                {"id": OLD_ID},
            )
        engine.dispose()
        store = AlarmStore(url)
        try:
            columns = {c["name"] for c in inspect(store.engine).get_columns("alarms")}
            assert "heatmap_snapshot" in columns
            old = store.get(OLD_ID)
            assert old is not None and old.heatmap_snapshot is None
            new = store.add(make_alarm(), heatmap_snapshot="st-1/y_heatmap.jpg")
            stored = store.get(new.id)
            assert stored is not None and stored.heatmap_snapshot == "st-1/y_heatmap.jpg"
        finally:
            store.close()
