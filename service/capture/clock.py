"""Time as the capture worker sees it, injected so that tests can run on a fake clock."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, never going back: deadlines and rates."""
        ...

    def time(self) -> float:
        """Wall-clock seconds since the epoch: timestamps of frames and events."""
        ...

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        """Sleep ``seconds`` or until ``stop`` is set; return whether it is set."""
        ...

    def wait(self, event: threading.Event, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for ``event``, set by another thread; return whether it
        is set."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        return stop.wait(max(0.0, seconds))

    def wait(self, event: threading.Event, timeout: float) -> bool:
        return event.wait(max(0.0, timeout))
