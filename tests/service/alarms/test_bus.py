"""The alarm bus: every subscriber gets every event; a slow one loses its oldest, counted."""

from __future__ import annotations

import queue
import threading

import pytest

from service.alarms import (
    AlarmBus,
    AlarmEvent,
    AlarmRecord,
    Subscription,
    SubscriptionClosedError,
)
from tests.service.alarms.conftest import make_alarm


def event(number: int) -> AlarmEvent:
    return AlarmEvent("new", AlarmRecord.from_new(f"{number:032x}", make_alarm()))


def drain(subscription: Subscription) -> list[int]:
    """The numbers of the queued events, oldest first (the subscription left empty)."""
    numbers = []
    while True:
        try:
            numbers.append(int(subscription.get_nowait().record.id, 16))
        except queue.Empty:
            return numbers


def test_every_subscriber_gets_every_event_in_order() -> None:
    bus = AlarmBus()
    first, second = bus.subscribe(), bus.subscribe()
    assert [bus.publish(event(n)) for n in range(3)] == [2, 2, 2]
    assert drain(first) == drain(second) == [0, 1, 2]


def test_a_full_queue_drops_its_oldest_and_counts() -> None:
    bus = AlarmBus()
    slow, fast = bus.subscribe(maxsize=3), bus.subscribe(maxsize=100)
    for n in range(5):
        bus.publish(event(n))
    assert len(slow) == 3
    assert slow.dropped == 2 and fast.dropped == 0
    assert drain(slow) == [2, 3, 4]
    assert drain(fast) == [0, 1, 2, 3, 4]
    bus.publish(event(5))
    assert drain(slow) == [5] and slow.dropped == 2


def test_unsubscribe_stops_delivery_and_wakes_a_waiting_consumer() -> None:
    bus = AlarmBus()
    subscription = bus.subscribe()
    bus.publish(event(1))
    outcome: list[object] = []

    def consume() -> None:
        try:
            while True:
                outcome.append(subscription.get(timeout=5).record.id)
        except SubscriptionClosedError:
            outcome.append("closed")

    bus.unsubscribe(subscription)
    assert bus.publish(event(2)) == 0 and bus.subscribers == 0
    consumer = threading.Thread(target=consume)
    consumer.start()
    consumer.join(timeout=5)
    assert outcome == [f"{1:032x}", "closed"]  # what was queued, then the close
    with pytest.raises(SubscriptionClosedError):
        subscription.get(timeout=0.1)
    bus.unsubscribe(subscription)  # twice is harmless


def test_a_blocked_get_returns_when_an_event_arrives() -> None:
    bus = AlarmBus()
    subscription = bus.subscribe()
    with pytest.raises(queue.Empty):
        subscription.get(timeout=0.01)
    threading.Timer(0.05, bus.publish, args=[event(7)]).start()
    assert subscription.get(timeout=5).record.id == f"{7:032x}"


def test_concurrent_publishers_lose_nothing_uncounted() -> None:
    bus = AlarmBus()
    subscription = bus.subscribe(maxsize=10)
    threads = [
        threading.Thread(target=lambda: [bus.publish(event(n)) for n in range(200)])
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(drain(subscription)) + subscription.dropped == 800
    assert subscription.dropped >= 790


def test_maxsize_must_be_positive() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        AlarmBus().subscribe(maxsize=0)
