"""The alarm outputs in the API: one alarm shows its deliveries; ``/metrics`` counts them by
status and flags a failing output."""

from __future__ import annotations

import time
from dataclasses import replace

from fastapi.testclient import TestClient

from service.alarms import DeliveryRecord, DeliveryStatus, OutputKind
from service.api.services import ApiServices
from tests.service.api.conftest import T0, AddAlarm, auth
from tests.service.api.test_metrics import samples, value


def delivery(
    alarm_id: str, output: OutputKind, status: DeliveryStatus, attempts: int, error: str | None
) -> DeliveryRecord:
    return DeliveryRecord(alarm_id, output, "new", "st-1", status, attempts, error, T0 + 1, T0 + 2)


def test_one_alarm_shows_its_deliveries(
    client: TestClient, services: ApiServices, add_alarm: AddAlarm
) -> None:
    alarm = add_alarm()
    url = f"/api/alarms/{alarm.id}"
    assert client.get(url, headers=auth("viewer")).json()["deliveries"] == []
    services.store.save_delivery(delivery(alarm.id, "webhook", "delivered", 2, None))
    services.store.save_delivery(delivery(alarm.id, "mqtt", "pending", 3, "not connected"))
    body = client.get(url, headers=auth("viewer")).json()
    assert body["id"] == alarm.id and "snapshots" in body
    assert body["deliveries"] == [
        {
            "output": "mqtt",
            "event": "new",
            "status": "pending",
            "attempts": 3,
            "last_error": "not connected",
            "created_at": T0 + 1,
            "updated_at": T0 + 2,
        },
        {
            "output": "webhook",
            "event": "new",
            "status": "delivered",
            "attempts": 2,
            "last_error": None,
            "created_at": T0 + 1,
            "updated_at": T0 + 2,
        },
    ]
    listed = client.get("/api/alarms", headers=auth("viewer")).json()["items"]
    assert "deliveries" not in listed[0]  # the list stays light


def test_metrics_count_deliveries_and_flag_a_failing_output(
    client: TestClient, services: ApiServices, add_alarm: AddAlarm
) -> None:
    first, second = add_alarm(), add_alarm()
    services.store.save_delivery(delivery(first.id, "webhook", "delivered", 1, None))
    services.store.save_delivery(delivery(first.id, "mqtt", "delivered", 1, None))
    failed = delivery(second.id, "webhook", "failed", 10, "HTTP 500")
    # the webhook's newest delivery, failed a moment ago
    services.store.save_delivery(replace(failed, updated_at=time.time()))
    found = samples(client.get("/metrics").text)
    webhook = {"station": "st-1", "output": "webhook"}
    mqtt = {"station": "st-1", "output": "mqtt"}
    assert value(found, "liftwatch_alarm_deliveries", **webhook, status="failed") == 1
    assert value(found, "liftwatch_alarm_deliveries", **webhook, status="delivered") == 1
    assert value(found, "liftwatch_alarm_deliveries", **webhook, status="pending") == 0
    assert value(found, "liftwatch_alarm_delivery_attempts_total", **webhook) == 11
    assert value(found, "liftwatch_alarm_output_failing", **webhook) == 1
    assert value(found, "liftwatch_alarm_output_failing", **mqtt) == 0
