"""The ``alarm_hash_codes`` cache on SQLite and PostgreSQL (the alarm tests' ``store``)."""

from __future__ import annotations

from sqlalchemy import func, select

from service.alarms import AlarmStore
from service.similar import HashCodeStore, alarm_hash_codes
from tests.service.alarms.conftest import make_alarm

BIG = (1 << 48) - 1  # all 48 bits set


def test_codes_round_trip_per_model(store: AlarmStore) -> None:
    table = HashCodeStore(store.engine)
    HashCodeStore(store.engine)  # a second open finds the table there
    a = store.add(make_alarm())
    b = store.add(make_alarm(raised_at=1_700_000_001.0))
    table.put("m:1", {a.id: BIG, b.id: 5}, at=1.0)
    table.put("m:2", {a.id: 7}, at=2.0)
    table.put("m:1", {a.id: 0}, at=3.0)  # an existing code is kept
    assert table.get("m:1", [a.id, b.id, "f" * 32]) == {a.id: BIG, b.id: 5}
    assert table.get("m:2", [a.id, b.id]) == {a.id: 7}
    assert table.get("m:3", [a.id]) == {}
    table.put("m:1", {}, at=4.0)  # nothing to store is fine
    with store.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(alarm_hash_codes)).scalar_one()
    assert rows == 3
