"""A bounded, thread-safe FIFO that never blocks its producer: when full, the oldest item goes."""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class DropOldestQueue(Generic[T]):
    """Bounded FIFO between two stages: ``put`` drops the oldest item when full and counts it.

    A slow consumer thus sees the newest items and memory never grows past ``maxsize`` items.
    """

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1, got {maxsize}")
        self.maxsize = maxsize
        self._items: deque[T] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._dropped = 0

    def put(self, item: T) -> T | None:
        """Append ``item``; return the oldest item dropped to make room, or ``None``."""
        with self._ready:
            evicted = None
            if len(self._items) >= self.maxsize:
                evicted = self._items.popleft()
                self._dropped += 1
            self._items.append(item)
            self._ready.notify()
            return evicted

    def get(self, timeout: float | None = None) -> T:
        """The oldest item, waiting up to ``timeout`` seconds (forever when ``None``).

        Raises ``queue.Empty`` when none arrived in time.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._ready:
            while not self._items:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise queue.Empty
                self._ready.wait(remaining)
            return self._items.popleft()

    def get_nowait(self) -> T:
        """The oldest item; raises ``queue.Empty`` when there is none."""
        return self.get(timeout=0)

    @property
    def dropped(self) -> int:
        """Items dropped so far because the queue was full."""
        with self._ready:
            return self._dropped

    def __len__(self) -> int:
        with self._ready:
            return len(self._items)
