"""Building the outputs from the station configs (secrets from the environment, refused when
missing or placeholders), and resuming after a restart what a previous run left pending."""

from __future__ import annotations

import time

import pytest

from service.alarms import AlarmBus, AlarmStore, DeliveryRecord
from service.outputs import DeliveryService, OutputSetupError
from tests.service.outputs.conftest import FAST, AddAlarm, MakeStation
from tests.service.outputs.receivers import SECRET, wait_for, webhook_receiver

HOOK = {"url": "http://127.0.0.1:9/hook", "secret_env": "HOOK_SECRET", **FAST}
MQTT = {"host": "127.0.0.1", "username_env": "MQTT_USER", "password_env": "MQTT_PASSWORD"}


def test_no_outputs_no_threads(make_station: MakeStation, store: AlarmStore, bus: AlarmBus) -> None:
    outputs = DeliveryService.build([make_station({})], store, bus, {})
    outputs.start()
    assert outputs.workers == [] and bus.subscribers == 0
    outputs.stop()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "station st-1: outputs.webhook.secret_env: the environment variable HOOK_SECRET is "
             "not set"),
        ({"HOOK_SECRET": ""}, "the environment variable HOOK_SECRET is not set"),
        ({"HOOK_SECRET": "short"}, "HOOK_SECRET must hold a real secret of at least 16"),
        ({"HOOK_SECRET": "ChangeMe"}, "HOOK_SECRET must hold a real secret"),
    ],
)  # fmt: skip
def test_a_webhook_secret_must_be_set_and_real(
    make_station: MakeStation,
    store: AlarmStore,
    bus: AlarmBus,
    environ: dict[str, str],
    message: str,
) -> None:
    with pytest.raises(OutputSetupError, match=message):
        DeliveryService.build([make_station({"webhook": HOOK})], store, bus, environ)


def test_broker_credentials_come_from_the_environment(
    make_station: MakeStation, store: AlarmStore, bus: AlarmBus
) -> None:
    station = make_station({"mqtt": MQTT})
    with pytest.raises(OutputSetupError, match=r"outputs\.mqtt\.username_env: .* MQTT_USER is"):
        DeliveryService.build([station], store, bus, {"MQTT_PASSWORD": "pw"})
    env = {"MQTT_USER": "liftwatch", "MQTT_PASSWORD": "pw"}
    outputs = DeliveryService.build([station], store, bus, env)
    assert outputs.describe() == ["st-1: mqtt mqtt://127.0.0.1:1883/liftwatch/alarms/st-1"]


def pending(alarm_id: str, station: str, created_at: float, attempts: int) -> DeliveryRecord:
    return DeliveryRecord(
        alarm_id, "webhook", "new", station, "pending", attempts, "HTTP 503", created_at, created_at
    )


def test_pending_deliveries_are_resumed_after_a_restart(
    make_station: MakeStation, store: AlarmStore, bus: AlarmBus, add_alarm: AddAlarm
) -> None:
    now = time.time()
    young, old, orphan = add_alarm(), add_alarm(), add_alarm(station_id="st-gone")
    store.save_delivery(pending(young.id, "st-1", now - 5, attempts=2))
    store.save_delivery(pending(old.id, "st-1", now - 3600, attempts=4))
    store.save_delivery(pending(orphan.id, "st-gone", now - 5, attempts=1))
    with webhook_receiver() as receiver:
        station = make_station({"webhook": {**HOOK, "url": receiver.url}})
        outputs = DeliveryService.build([station], store, bus, {"HOOK_SECRET": SECRET})
        outputs.start()
        try:
            assert wait_for(lambda: not store.deliveries_with_status("pending"))
        finally:
            outputs.stop()
        assert [r.message["alarm"]["id"] for r in receiver.accepted] == [young.id]
    [resumed] = store.deliveries(young.id)
    assert (resumed.status, resumed.attempts, resumed.last_error) == ("delivered", 3, None)
    [expired] = store.deliveries(old.id)
    assert expired.status == "failed" and expired.attempts == 4
    assert expired.last_error is not None and expired.last_error.startswith("expired: 3600 s old")
    [gone] = store.deliveries(orphan.id)
    assert (gone.status, gone.last_error) == (
        "failed",
        "not resumed after a restart: the output is no longer configured",
    )
