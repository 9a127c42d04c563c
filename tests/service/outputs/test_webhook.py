"""The webhook output against a real HTTP server on loopback that checks every signature:
retried with backoff until a 2xx, events in order, failures recorded, counted and logged."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from service.alarms import AlarmBus, AlarmEvent, AlarmStore
from service.config import WebhookConfig
from service.outputs import DeliveryError, DeliveryService, Job, WebhookSender
from service.outputs.payload import encode_message
from tests.service.outputs.conftest import FAST, AddAlarm, MakeStation
from tests.service.outputs.receivers import SECRET, WebhookReceiver, wait_for, webhook_receiver

ENV = {"LIFT_HOOK_SECRET": SECRET}


def hook(url: str, **options: Any) -> dict[str, Any]:
    return {"webhook": {"url": url, "secret_env": "LIFT_HOOK_SECRET", **FAST, **options}}


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(fail_first=2) as server:
        yield server


@pytest.fixture
def service(
    receiver: WebhookReceiver, make_station: MakeStation, store: AlarmStore, bus: AlarmBus
) -> Iterator[DeliveryService]:
    outputs = DeliveryService.build([make_station(hook(receiver.url))], store, bus, ENV)
    outputs.start()
    yield outputs
    outputs.stop()


def statuses(store: AlarmStore, alarm_id: str) -> list[tuple[str, str, int]]:
    return [(d.event, d.status, d.attempts) for d in store.deliveries(alarm_id)]


def test_retried_until_the_receiver_answers_2xx(
    service: DeliveryService,
    receiver: WebhookReceiver,
    store: AlarmStore,
    bus: AlarmBus,
    add_alarm: AddAlarm,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="service.outputs")
    alarm = add_alarm()
    bus.publish(AlarmEvent("new", alarm))
    assert wait_for(lambda: statuses(store, alarm.id) == [("new", "delivered", 3)])
    assert [r.status for r in receiver.requests] == [503, 503, 200]
    assert all(r.signed for r in receiver.requests)
    headers = receiver.requests[-1].headers
    assert headers["X-Liftwatch-Event"] == "new"
    assert headers["X-Liftwatch-Delivery"] == f"{alarm.id}:new"
    assert headers["Content-Type"] == "application/json"
    assert receiver.requests[-1].body == encode_message(AlarmEvent("new", alarm))
    assert receiver.requests[-1].message["alarm"]["id"] == alarm.id
    [delivery] = store.deliveries(alarm.id)
    assert (delivery.output, delivery.last_error) == ("webhook", None)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "attempt 1/10 failed: HTTP 503 Service Unavailable; retrying" in warnings[0]


def test_new_update_and_end_arrive_in_order(
    service: DeliveryService,
    receiver: WebhookReceiver,
    store: AlarmStore,
    bus: AlarmBus,
    add_alarm: AddAlarm,
) -> None:
    alarm = add_alarm(type="camera_offline", passage=None, frame=None)
    for kind in ("new", "update", "end"):
        bus.publish(AlarmEvent(kind, alarm))
    assert wait_for(lambda: len(receiver.accepted) == 3)
    assert [r.message["event"] for r in receiver.accepted] == ["new", "update", "end"]
    assert [r.headers["X-Liftwatch-Event"] for r in receiver.accepted] == ["new", "update", "end"]
    assert wait_for(lambda: {s for _, s, _ in statuses(store, alarm.id)} == {"delivered"})
    other = add_alarm(station_id="st-9")  # a station without outputs: nothing sent, nothing kept
    bus.publish(AlarmEvent("new", other))
    time.sleep(0.3)
    assert store.deliveries(other.id) == [] and len(receiver.requests) == 5


def test_a_delivery_that_keeps_failing_is_marked_failed(
    make_station: MakeStation,
    store: AlarmStore,
    bus: AlarmBus,
    add_alarm: AddAlarm,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with webhook_receiver(fail_first=1000, fail_status=500) as receiver:
        station = make_station(hook(receiver.url, max_attempts=3))
        outputs = DeliveryService.build([station], store, bus, ENV)
        outputs.start()
        try:
            alarm = add_alarm()
            bus.publish(AlarmEvent("new", alarm))
            assert wait_for(lambda: statuses(store, alarm.id) == [("new", "failed", 3)])
        finally:
            outputs.stop()
    [delivery] = store.deliveries(alarm.id)
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    [health] = store.delivery_health()
    assert (health.counts, health.attempts, health.failing) == ({"failed": 1}, 3, True)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("NOT DELIVERED after 3 attempt(s)" in e for e in errors)


def test_publishing_never_waits_for_a_slow_receiver(
    make_station: MakeStation, store: AlarmStore, bus: AlarmBus, add_alarm: AddAlarm
) -> None:
    with webhook_receiver(fail_first=1, delay_s=1.0) as receiver:
        outputs = DeliveryService.build([make_station(hook(receiver.url))], store, bus, ENV)
        outputs.start()
        try:
            alarm = add_alarm()
            started = time.perf_counter()
            for kind in ("new", "update", "end"):
                bus.publish(AlarmEvent(kind, alarm))
            assert time.perf_counter() - started < 0.05
            assert wait_for(lambda: len(receiver.accepted) == 3)
        finally:
            outputs.stop()


def test_stopping_leaves_a_retried_delivery_pending(
    make_station: MakeStation, store: AlarmStore, bus: AlarmBus, add_alarm: AddAlarm
) -> None:
    with webhook_receiver(fail_first=1000) as receiver:
        slow_retries = hook(receiver.url, backoff_initial_s=30, backoff_max_s=30)
        outputs = DeliveryService.build([make_station(slow_retries)], store, bus, ENV)
        outputs.start()
        alarm = add_alarm()
        bus.publish(AlarmEvent("new", alarm))
        assert wait_for(lambda: statuses(store, alarm.id) == [("new", "pending", 1)])
        started = time.perf_counter()
        outputs.stop()
        assert time.perf_counter() - started < 2.0  # the 30 s backoff does not hold it
    [delivery] = store.deliveries(alarm.id)
    assert delivery.last_error == "HTTP 503 Service Unavailable"


def test_a_timeout_and_a_refused_connection_are_failures_with_a_reason(
    add_alarm: AddAlarm,
) -> None:
    job = Job(AlarmEvent("new", add_alarm()), time.time())
    with webhook_receiver(fail_first=1, delay_s=1.0) as receiver:
        config = WebhookConfig(url=receiver.url, secret_env="X", timeout_s=0.2)
        with pytest.raises(DeliveryError, match=r"^no answer within 0\.2 s$"):
            WebhookSender("st-1", config, SECRET.encode()).send(job)
        closed = receiver.url
    config = WebhookConfig(url=closed, secret_env="X")  # the receiver is gone: nobody listens
    with pytest.raises(DeliveryError, match=r"^ConnectionRefusedError"):
        WebhookSender("st-1", config, SECRET.encode()).send(job)
    assert WebhookSender("st-1", config, b"k").target.endswith("/hooks/liftwatch")  # no query


def test_stopping_first_delivers_what_was_just_published(
    make_station: MakeStation, store: AlarmStore, bus: AlarmBus, add_alarm: AddAlarm
) -> None:
    with webhook_receiver() as receiver:
        outputs = DeliveryService.build([make_station(hook(receiver.url))], store, bus, ENV)
        outputs.start()
        alarm = add_alarm()
        bus.publish(AlarmEvent("end", alarm))  # as the passages judged at shutdown do
        outputs.stop()
        assert [r.message["event"] for r in receiver.accepted] == ["end"]
    assert statuses(store, alarm.id) == [("end", "delivered", 1)]
