"""The alarm store, the same tests on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import uuid

import pytest

from service.alarms import AlarmRecord, AlarmStore, AlarmStoreError
from tests.service.alarms.conftest import make_alarm

T0 = 1_700_000_000.0


def ids(records: list[AlarmRecord]) -> list[str]:
    return [record.id for record in records]


def fill(store: AlarmStore) -> dict[str, AlarmRecord]:
    """Five alarms over two stations, two lifts and both types, one per second from T0."""
    alarms = {
        "a": make_alarm(station_id="st-1", lift="lift-1", raised_at=T0),
        "b": make_alarm(station_id="st-2", lift="lift-1", raised_at=T0 + 1),
        "c": make_alarm(station_id="st-3", lift="lift-2", raised_at=T0 + 2),
        "d": make_alarm(type="camera_offline", station_id="st-1", raised_at=T0 + 3, passage=None),
        "e": make_alarm(type="camera_offline", station_id="st-3", lift=None, raised_at=T0 + 4),
    }
    return {name: store.add(alarm) for name, alarm in alarms.items()}


def test_add_then_get_returns_every_field(store: AlarmStore) -> None:
    alarm = make_alarm(passage=41, frame=2**40)
    record = store.add(alarm, crop_snapshot="st-1/x_crop.jpg", frame_snapshot="st-1/x_frame.jpg")
    assert len(record.id) == 32 and uuid.UUID(hex=record.id).version == 4
    stored = store.get(record.id)
    assert stored == record
    assert stored is not None
    assert (stored.type, stored.station_id, stored.lift) == (alarm.type, "st-1", "lift-1")
    assert (stored.raised_at, stored.passage, stored.frame) == (alarm.raised_at, 41, 2**40)
    assert dict(stored.details) == dict(alarm.details)
    assert (stored.crop_snapshot, stored.frame_snapshot) == ("st-1/x_crop.jpg", "st-1/x_frame.jpg")
    assert not stored.acknowledged and stored.acknowledged_by is None
    assert stored.cleared_at is None


def test_add_with_a_given_id(store: AlarmStore) -> None:
    alarm_id = uuid.uuid4().hex
    assert store.add(make_alarm(), alarm_id=alarm_id).id == alarm_id
    with pytest.raises(AlarmStoreError, match="storing an alarm failed"):
        store.add(make_alarm(), alarm_id=alarm_id)
    with pytest.raises(ValueError, match="invalid alarm id"):
        store.add(make_alarm(), alarm_id="not-an-id")


def test_get_unknown_or_malformed_id_is_none(store: AlarmStore) -> None:
    assert store.get(uuid.uuid4().hex) is None
    assert store.get("'; DROP TABLE alarms; --") is None


def test_list_is_newest_first(store: AlarmStore) -> None:
    made = fill(store)
    records, cursor = store.list()
    assert ids(records) == [made[name].id for name in "edcba"]
    assert cursor is None


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"station_id": "st-1"}, "da"),
        ({"station_id": "st-9"}, ""),
        ({"lift": "lift-1"}, "dba"),
        ({"type": "camera_offline"}, "ed"),
        ({"type": "bar_open_at_departure", "lift": "lift-2"}, "c"),
        ({"since": T0 + 1}, "edcb"),
        ({"until": T0 + 1}, "a"),
        ({"since": T0 + 1, "until": T0 + 3}, "cb"),
        ({"acknowledged": True}, "b"),
        ({"acknowledged": False}, "edca"),
        ({"acknowledged": False, "station_id": "st-3", "type": "camera_offline"}, "e"),
    ],
)
def test_list_filters(store: AlarmStore, filters: dict[str, object], expected: str) -> None:
    made = fill(store)
    store.acknowledge(made["b"].id, by="op", note=None, at=T0 + 10)
    records, _ = store.list(**filters)  # type: ignore[arg-type]
    assert ids(records) == [made[name].id for name in expected]


def test_cursor_pages_cover_everything_once(store: AlarmStore) -> None:
    # 23 alarms, many sharing a raised_at: the (raised_at, id) order must still page exactly.
    made = [store.add(make_alarm(raised_at=T0 + index // 4)) for index in range(23)]
    expected = sorted(made, key=lambda r: (r.raised_at, r.id), reverse=True)
    seen: list[AlarmRecord] = []
    cursor: str | None = None
    pages = 0
    while True:
        records, cursor = store.list(limit=5, cursor=cursor)
        pages += 1
        assert len(records) == (5 if cursor else 3)
        seen += records
        if cursor is None:
            break
    assert pages == 5
    assert ids(seen) == ids(expected)


def test_a_last_full_page_has_no_next_cursor(store: AlarmStore) -> None:
    for index in range(4):
        store.add(make_alarm(raised_at=T0 + index))
    first, cursor = store.list(limit=2)
    second, cursor = store.list(limit=2, cursor=cursor)
    assert len(first) == len(second) == 2 and cursor is None


def test_cursor_with_filters_and_newer_alarms_arriving(store: AlarmStore) -> None:
    for index in range(6):
        store.add(make_alarm(station_id=f"st-{index % 2}", raised_at=T0 + index))
    first, cursor = store.list(station_id="st-0", limit=2)
    store.add(make_alarm(station_id="st-0", raised_at=T0 + 100))  # arrives between pages
    rest, end = store.list(station_id="st-0", limit=2, cursor=cursor)
    assert [r.raised_at for r in first + rest] == [T0 + 4, T0 + 2, T0]
    assert end is None


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage!",
        base64.urlsafe_b64encode(b"1.5|abc").decode(),
        base64.urlsafe_b64encode(b"nope|" + b"a" * 32).decode(),
        base64.urlsafe_b64encode(b"0x1.8p+0|" + b"a" * 31).decode(),
        base64.urlsafe_b64encode(b"inf|" + b"a" * 32).decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_invalid_cursor_is_a_clear_value_error(store: AlarmStore, cursor: str) -> None:
    with pytest.raises(ValueError, match=r"invalid cursor .*next_cursor of a previous page"):
        store.list(cursor=cursor)


@pytest.mark.parametrize("limit", [0, -1, 1001])
def test_limit_out_of_range(store: AlarmStore, limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        store.list(limit=limit)


def test_acknowledge_is_idempotent(store: AlarmStore) -> None:
    record = store.add(make_alarm())
    first = store.acknowledge(record.id, by="anna", note="bar closed by hand", at=T0 + 5)
    assert first is not None and first.acknowledged
    assert (first.acknowledged_by, first.acknowledged_at, first.ack_note) == (
        "anna",
        T0 + 5,
        "bar closed by hand",
    )
    again = store.acknowledge(record.id, by="bob", note=None, at=T0 + 9)
    assert again == first
    assert store.get(record.id) == first
    assert store.acknowledge(uuid.uuid4().hex, by="anna", note=None, at=T0) is None
    assert store.acknowledge("bogus", by="anna", note=None, at=T0) is None


def test_clear_and_open_alarm(store: AlarmStore) -> None:
    older = store.add(make_alarm(type="camera_offline", raised_at=T0))
    newer = store.add(make_alarm(type="camera_offline", raised_at=T0 + 1))
    other_station = store.add(make_alarm(type="camera_offline", station_id="st-2"))
    bar = store.add(make_alarm(type="bar_open_at_departure"))
    assert store.open_alarm("st-1", "camera_offline") == newer
    assert store.open_alarm("st-9", "camera_offline") is None

    assert store.clear("st-1", "camera_offline", at=T0 + 60) == 2
    assert store.open_alarm("st-1", "camera_offline") is None
    for record in (older, newer):
        cleared = store.get(record.id)
        assert cleared is not None and cleared.cleared_at == T0 + 60 and not cleared.is_open
    assert store.get(other_station.id) == other_station  # other station untouched
    assert store.get(bar.id) == bar  # other type untouched
    assert store.clear("st-1", "camera_offline", at=T0 + 90) == 0  # nothing open any more
    cleared = store.get(older.id)
    assert cleared is not None and cleared.cleared_at == T0 + 60
