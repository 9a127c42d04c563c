"""The in-process alarm feed: whoever subscribes (the SSE stream) gets every stored alarm event.

Each subscriber has its own bounded queue. Publishing never blocks the pipeline: when a slow
subscriber's queue is full its oldest event is dropped and counted, so a stalled client costs
at most ``maxsize`` events of memory and can tell (``dropped``) that it should re-read the list.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Literal

from service.alarms.types import AlarmRecord

logger = logging.getLogger(__name__)

EventKind = Literal["new", "update", "end"]
"""``new``: an alarm was stored; ``update``: it changed (acknowledged); ``end``: it cleared."""


@dataclass(frozen=True)
class AlarmEvent:
    """One change to the alarm store, sent after the change was committed."""

    kind: EventKind
    record: AlarmRecord


class SubscriptionClosedError(Exception):
    """The subscription was closed and every event before the close has been read."""


class _Closed:
    """The end-of-subscription marker put on a subscriber's queue by ``close``."""


_CLOSED = _Closed()


class Subscription:
    """One subscriber's bounded queue of events (read it from a single consumer)."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1, got {maxsize}")
        self.maxsize = maxsize
        self._queue: queue.Queue[AlarmEvent | _Closed] = queue.Queue(maxsize)
        self._lock = threading.Lock()
        self._dropped = 0
        self._closed = False

    def get(self, timeout: float | None = None) -> AlarmEvent:
        """The oldest event, waiting up to ``timeout`` seconds (forever when ``None``).

        Raises ``queue.Empty`` when none came in time and :class:`SubscriptionClosedError` once the
        subscription is closed and drained (a consumer blocked in ``get`` wakes up then).
        """
        return self._unwrap(self._queue.get(timeout=timeout))

    def get_nowait(self) -> AlarmEvent:
        """The oldest event; ``queue.Empty`` when there is none."""
        return self._unwrap(self._queue.get_nowait())

    @property
    def dropped(self) -> int:
        """Events dropped so far because this subscriber fell ``maxsize`` events behind."""
        with self._lock:
            return self._dropped

    @property
    def closed(self) -> bool:
        """Whether the subscription was closed (it then receives nothing more)."""
        with self._lock:
            return self._closed

    def __len__(self) -> int:
        return self._queue.qsize()

    def offer(self, item: AlarmEvent | _Closed) -> bool:
        """Enqueue ``item``, dropping the oldest when full; ``False`` if already closed."""
        with self._lock:
            if self._closed:
                return False
            self._closed = item is _CLOSED
            while True:
                try:
                    self._queue.put_nowait(item)
                    return True
                except queue.Full:
                    self._drop_oldest()

    def close(self) -> None:
        """Stop receiving events; a consumer drains what is queued, then gets
        :class:`SubscriptionClosedError`."""
        self.offer(_CLOSED)

    def _drop_oldest(self) -> None:
        try:
            self._queue.get_nowait()
        except queue.Empty:  # the consumer took it meanwhile: there is room now
            return
        self._dropped += 1
        if self._dropped == 1 or self._dropped % 100 == 0:
            logger.warning("slow alarm subscriber: %d event(s) dropped so far", self._dropped)

    def _unwrap(self, item: AlarmEvent | _Closed) -> AlarmEvent:
        if isinstance(item, _Closed):
            self._queue.put_nowait(item)  # later gets see the close too (the queue has room)
            raise SubscriptionClosedError
        return item


class AlarmBus:
    """Publish/subscribe of :class:`AlarmEvent` between threads (no event is ever blocked on)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: list[Subscription] = []

    def subscribe(self, maxsize: int = 100) -> Subscription:
        """A new subscription receiving every event published from now on."""
        subscription = Subscription(maxsize)
        with self._lock:
            self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop delivering to ``subscription`` and close it (unknown ones are ignored)."""
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)
        subscription.close()

    def publish(self, event: AlarmEvent) -> int:
        """Deliver ``event`` to every subscriber without blocking; how many received it."""
        with self._lock:
            subscriptions = list(self._subscriptions)
        return sum(subscription.offer(event) for subscription in subscriptions)

    @property
    def subscribers(self) -> int:
        """How many subscriptions are open."""
        with self._lock:
            return len(self._subscriptions)
