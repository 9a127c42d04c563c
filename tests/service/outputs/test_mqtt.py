"""The MQTT output against real brokers: the local Mosquitto (new, update and end reach a
subscriber of ``<prefix>/<station>``), and one of the test's own, stopped and started again
(the output reconnects and delivers what waited)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.alarms import AlarmBus, AlarmEvent, AlarmStore
from service.outputs import DeliveryService
from tests.service.outputs.conftest import FAST, AddAlarm, MakeStation
from tests.service.outputs.receivers import (
    LOCAL_BROKER,
    Collector,
    Mosquitto,
    require_local_broker,
    wait_for,
)


def statuses(store: AlarmStore, alarm_id: str) -> list[tuple[str, str]]:
    return [(d.event, d.status) for d in store.deliveries(alarm_id)]


def test_new_update_and_end_reach_a_subscriber(
    make_station: MakeStation, store: AlarmStore, bus: AlarmBus, add_alarm: AddAlarm
) -> None:
    require_local_broker()
    prefix = f"liftwatch-test/{uuid.uuid4().hex[:12]}/alarms"  # no other run's messages
    host, port = LOCAL_BROKER
    collector = Collector(host, port, f"{prefix}/st-1")
    station = make_station({"mqtt": {"host": host, "port": port, "topic_prefix": prefix, **FAST}})
    outputs = DeliveryService.build([station], store, bus, {})
    outputs.start()
    try:
        alarm = add_alarm(type="camera_offline", passage=None, frame=None)
        for kind in ("new", "update", "end"):
            bus.publish(AlarmEvent(kind, alarm))
        assert wait_for(lambda: len(collector.received()) == 3)
        assert wait_for(lambda: {s for _, s in statuses(store, alarm.id)} == {"delivered"})
    finally:
        outputs.stop()
        collector.close()
    messages = collector.received()
    assert [m["event"] for m in messages] == ["new", "update", "end"]
    assert {m["alarm"]["id"] for m in messages} == {alarm.id}
    assert messages[0]["alarm"]["type"] == "camera_offline"
    assert [(d.output, d.attempts) for d in store.deliveries(alarm.id)] == [("mqtt", 1)] * 3


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    mosquitto = Mosquitto(tmp_path)
    mosquitto.start()
    yield mosquitto
    mosquitto.stop()


def test_the_output_reconnects_after_the_broker_restarts(
    broker: Mosquitto,
    make_station: MakeStation,
    store: AlarmStore,
    bus: AlarmBus,
    add_alarm: AddAlarm,
) -> None:
    retries = {**FAST, "timeout_s": 0.5, "backoff_initial_s": 0.2, "backoff_max_s": 0.5}
    station = make_station({"mqtt": {"host": "127.0.0.1", "port": broker.port, **retries}})
    outputs = DeliveryService.build([station], store, bus, {})
    [worker] = outputs.workers
    outputs.start()
    try:
        first = add_alarm()
        bus.publish(AlarmEvent("new", first))
        assert wait_for(lambda: statuses(store, first.id) == [("new", "delivered")])

        broker.stop()  # the broker goes away: the event waits, its attempts fail
        assert wait_for(lambda: not worker.sender.connected)  # type: ignore[attr-defined]
        during = add_alarm()
        bus.publish(AlarmEvent("new", during))
        assert wait_for(lambda: any(d.attempts >= 2 for d in store.deliveries(during.id)))
        [waiting] = store.deliveries(during.id)
        assert waiting.status == "pending"
        assert waiting.last_error is not None and "not connected" in waiting.last_error

        broker.start()  # back on the same port: paho reconnects, the waiting event goes out
        assert wait_for(lambda: statuses(store, during.id) == [("new", "delivered")], 15)
        collector = Collector("127.0.0.1", broker.port, "liftwatch/alarms/#")
        try:
            after = add_alarm()
            bus.publish(AlarmEvent("end", after))
            assert wait_for(lambda: len(collector.received()) == 1)
        finally:
            collector.close()
        assert collector.received()[0]["alarm"]["id"] == after.id
    finally:
        outputs.stop()
