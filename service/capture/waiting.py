"""A capture worker's waits: bounded, woken by its stop event, and watching its offline alarm.

No wait runs past the moment the ``camera_offline`` alarm falls due, so the alarm is raised on
time even while the worker waits out a backoff or a hung call.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Literal

from service.capture.clock import Clock

Outcome = Literal["done", "timeout", "stopped"]

POLL_S = 0.25  # longest wait on a source call between looks at the stop event
MIN_STEP_S = 1e-3


class Waiter:
    def __init__(
        self, clock: Clock, stop: threading.Event, watch: Callable[[float], float]
    ) -> None:
        """``watch(now)`` checks the alarm and returns the seconds until it is next due."""
        self.clock = clock
        self.stop = stop
        self.watch = watch

    def _step(self, remaining: float, now: float, poll: float) -> float:
        return max(MIN_STEP_S, min(remaining, poll, self.watch(now)))

    def wait_for(self, done: threading.Event, timeout: float) -> Outcome:
        """Wait up to ``timeout`` seconds for ``done`` (set by the source's helper thread)."""
        deadline = self.clock.monotonic() + timeout
        while True:
            now = self.clock.monotonic()
            step = self._step(deadline - now, now, POLL_S)
            if done.is_set():
                return "done"
            if self.stop.is_set():
                return "stopped"
            if now >= deadline:
                return "timeout"
            if self.clock.wait(done, step):
                return "done"

    def sleep(self, seconds: float) -> bool:
        """Sleep ``seconds``; return whether the worker was stopped meanwhile."""
        deadline = self.clock.monotonic() + seconds
        while True:
            now = self.clock.monotonic()
            step = self._step(deadline - now, now, math.inf)  # a sleep wakes on stop
            if self.stop.is_set():
                return True
            if now >= deadline:
                return False
            if self.clock.sleep(step, self.stop):
                return True
