"""The ``alarm_deliveries`` table through the store (SQLite and PostgreSQL): recorded, replaced
by alarm, output and event, listed per alarm and by status, summed for metrics."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import delete

from service.alarms import AlarmStore, DeliveryRecord
from service.alarms.deliveries import MAX_ERROR_CHARS
from service.alarms.schema import alarm_deliveries
from tests.service.alarms.conftest import make_alarm


def delivery(alarm_id: str, **fields: object) -> DeliveryRecord:
    values: dict[str, object] = {
        "alarm_id": alarm_id,
        "output": "webhook",
        "event": "new",
        "station_id": "st-1",
        "status": "pending",
        "attempts": 0,
        "last_error": None,
        "created_at": 100.0,
        "updated_at": 100.0,
    }
    values.update(fields)
    return DeliveryRecord(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _empty(store: AlarmStore) -> None:
    with store.engine.begin() as conn:
        conn.execute(delete(alarm_deliveries))


def test_recorded_then_replaced_and_listed_per_alarm(store: AlarmStore) -> None:
    alarm = store.add(make_alarm())
    other = store.add(make_alarm(station_id="st-2"))
    assert store.deliveries(alarm.id) == []
    first = delivery(alarm.id)
    store.save_delivery(first)
    retried = replace(first, attempts=2, last_error="HTTP 503", updated_at=101.0)
    store.save_delivery(retried)
    mqtt = delivery(alarm.id, output="mqtt", status="delivered", attempts=1, created_at=100.5)
    store.save_delivery(mqtt)
    end = delivery(alarm.id, event="end", created_at=200.0, updated_at=200.0)
    store.save_delivery(end)
    store.save_delivery(delivery(other.id, station_id="st-2"))
    assert store.deliveries(alarm.id) == [retried, mqtt, end]
    assert store.deliveries("not-an-id") == []
    pending = store.deliveries_with_status("pending")
    assert [(d.alarm_id, d.event) for d in pending] == [
        *sorted([(alarm.id, "new"), (other.id, "new")]),
        (alarm.id, "end"),
    ]
    assert store.deliveries_with_status("delivered") == [mqtt]


def test_health_counts_attempts_and_failing_outputs(store: AlarmStore) -> None:
    a, b, c = (store.add(make_alarm(raised_at=100.0 + i)) for i in range(3))
    # the webhook: delivered, then one failed for good, then a newer one delivered: not failing
    store.save_delivery(delivery(a.id, status="delivered", attempts=1, updated_at=1.0))
    store.save_delivery(delivery(b.id, status="failed", attempts=5, last_error="x", updated_at=2.0))
    store.save_delivery(delivery(c.id, status="delivered", attempts=2, updated_at=3.0))
    # MQTT: its newest delivery is being retried after a failed attempt: failing
    mqtt = {"output": "mqtt"}
    store.save_delivery(delivery(a.id, **mqtt, status="delivered", attempts=1, updated_at=1.0))
    store.save_delivery(delivery(b.id, **mqtt, attempts=3, last_error="no broker", updated_at=4.0))
    # another station's webhook: its newest delivery failed
    s2 = store.add(make_alarm(station_id="st-2"))
    store.save_delivery(
        delivery(s2.id, station_id="st-2", status="failed", attempts=1, last_error="HTTP 500")
    )
    found = {(h.station_id, h.output): h for h in store.delivery_health(now=200.0)}
    assert sorted(found) == [("st-1", "mqtt"), ("st-1", "webhook"), ("st-2", "webhook")]
    webhook, mqtt_health, other = (
        found["st-1", "webhook"],
        found["st-1", "mqtt"],
        found["st-2", "webhook"],
    )
    assert (webhook.counts, webhook.attempts, webhook.failing) == (
        {"delivered": 2, "failed": 1},
        8,
        False,
    )
    assert (mqtt_health.counts, mqtt_health.attempts, mqtt_health.failing) == (
        {"delivered": 1, "pending": 1},
        4,
        True,
    )
    assert other.failing and other.counts == {"failed": 1}


def test_a_long_error_is_shortened() -> None:
    record = delivery("a" * 32, last_error="e" * 5000)
    assert record.last_error is not None and len(record.last_error) == MAX_ERROR_CHARS
    with pytest.raises(ValueError, match="unknown output"):
        delivery("a" * 32, output="sms")
    with pytest.raises(ValueError, match="unknown status"):
        delivery("a" * 32, status="lost")


def test_a_failure_counts_as_failing_for_an_hour(store: AlarmStore) -> None:
    alarm = store.add(make_alarm())
    store.save_delivery(delivery(alarm.id, status="failed", last_error="x", updated_at=1000.0))
    [health] = store.delivery_health(now=1000.0 + 3599)
    assert health.failing
    [health] = store.delivery_health(now=1000.0 + 3601)  # e.g. an output removed since
    assert not health.failing and health.counts == {"failed": 1}
