"""Log a recurring failure now and then, not on every frame."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Throttle:
    """``ready()`` is True the first time, then at most once every ``interval_s`` seconds."""

    def __init__(self, interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self._clock = clock
        self._last: float | None = None
        self._lock = threading.Lock()

    def ready(self) -> bool:
        now = self._clock()
        with self._lock:
            if self._last is not None and now - self._last < self.interval_s:
                return False
            self._last = now
            return True
