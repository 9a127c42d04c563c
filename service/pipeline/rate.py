"""Events per second over the last few seconds (the analysed fps of a station), thread-safe."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 5.0
SAMPLES = 256


class RateMeter:
    """Counts ``tick()`` calls; ``rate()`` is their frequency over the last ``window_s`` seconds."""

    def __init__(
        self,
        window_s: float = WINDOW_S,
        samples: int = SAMPLES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_s = window_s
        self._clock = clock
        self._times: deque[float] = deque(maxlen=samples)
        self._lock = threading.Lock()

    def tick(self) -> None:
        now = self._clock()
        with self._lock:
            self._times.append(now)

    def rate(self) -> float:
        """Events per second lately; 0 with fewer than two in the window."""
        now = self._clock()
        with self._lock:
            recent = [t for t in self._times if t >= now - self.window_s]
        span = recent[-1] - recent[0] if len(recent) >= 2 else 0.0
        return (len(recent) - 1) / span if span > 0 else 0.0
