"""Frame-to-decision latencies: a bounded window of recent values and their percentiles."""

from __future__ import annotations

import threading
from collections import deque

import numpy as np


class LatencyWindow:
    """The last ``size`` latencies (seconds), thread-safe, with p50/p99 and a total count."""

    def __init__(self, size: int = 10_000) -> None:
        self._values: deque[float] = deque(maxlen=size)
        self._lock = threading.Lock()
        self.count = 0

    def add(self, seconds: float) -> None:
        with self._lock:
            self._values.append(seconds)
            self.count += 1

    def percentile(self, q: float) -> float | None:
        """The ``q``-th percentile (0-100) of the window in seconds; None when empty."""
        with self._lock:
            values = np.fromiter(self._values, float)
        return float(np.percentile(values, q)) if values.size else None

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
