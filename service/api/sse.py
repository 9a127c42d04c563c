"""The live alarm feed as Server-Sent Events, read off the alarm bus without blocking the loop.

Each client gets its own bus subscription. The subscription is a thread-side queue, so the
stream polls it without waiting (``get_nowait``) every ``POLL_S`` seconds and sleeps on the
event loop in between: no thread is held per client and a stream is cancelled at once when
its client goes away (the subscription is then closed). Messages::

    retry: 3000                 once, first: how long a browser waits before reconnecting
    : connected                 once: the subscription exists, events published from now on come
    event: new|update|end       an alarm stored, acknowledged, cleared
    id: <alarm id>
    data: <the alarm, as GET /api/alarms/{id} gives it>
    event: resync               this client fell behind and missed events: re-read the list
    data: {"dropped": <events dropped so far>}
    : heartbeat                 after ``heartbeat_s`` seconds without a message

The stream ends when the server shuts down (``stop`` is set) or the subscription is closed.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable

import anyio

from service.alarms import AlarmBus, AlarmEvent, Subscription, SubscriptionClosedError
from service.api.schemas.alarms import Alarm

logger = logging.getLogger(__name__)

POLL_S = 0.1
"""How often a stream looks at its subscription: the feed's added latency, at most."""
RETRY_MS = 3000
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
MEDIA_TYPE = "text/event-stream"


def format_event(event: AlarmEvent) -> str:
    """The SSE message of one alarm event."""
    data = Alarm.from_record(event.record).model_dump_json()
    return f"event: {event.kind}\nid: {event.record.id}\ndata: {data}\n\n"


def _drain(subscription: Subscription) -> tuple[list[AlarmEvent], bool]:
    """The events queued now, and whether the subscription is closed."""
    events: list[AlarmEvent] = []
    while True:
        try:
            events.append(subscription.get_nowait())
        except queue.Empty:
            return events, False
        except SubscriptionClosedError:
            return events, True


async def alarm_events(
    bus: AlarmBus,
    stop: threading.Event,
    heartbeat_s: float,
    poll_s: float = POLL_S,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[str]:
    """The SSE messages of ``bus`` from now until ``stop`` (see the module doc)."""
    subscription = bus.subscribe()
    logger.info("alarm feed: client subscribed (%d open)", bus.subscribers)
    try:
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        last_message, dropped, closed = clock(), 0, False
        while not stop.is_set() and not closed:
            events, closed = _drain(subscription)
            for event in events:
                yield format_event(event)
            sent = bool(events)
            if subscription.dropped != dropped:
                dropped = subscription.dropped
                yield f"event: resync\ndata: {json.dumps({'dropped': dropped})}\n\n"
                sent = True
            now = clock()
            if sent:
                last_message = now
            elif now - last_message >= heartbeat_s:
                yield ": heartbeat\n\n"
                last_message = now
            await anyio.sleep(poll_s)
    finally:
        bus.unsubscribe(subscription)
        logger.info("alarm feed: client gone (%d open)", bus.subscribers)
