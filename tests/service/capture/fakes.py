"""A fake clock and a scripted fake camera for the capture worker's tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from service.config import StationConfig

REAL_LIMIT_S = 5.0  # a fake call that neither returns nor stalls within this is a test bug


class FakeClock:
    """Time that moves only when the worker sleeps, waits out a stalled call, or a fake source
    says its frame took time to come."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self.stalled = threading.Event()  # set by a fake source whose call is hanging

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_700_000_000.0 + self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        self.sleeps.append(seconds)
        self.now += seconds
        return stop.is_set()

    def wait(self, event: threading.Event, timeout: float) -> bool:
        """The call on the helper thread returns at once unless its source stalls: then the
        whole ``timeout`` passes."""
        limit = time.monotonic() + REAL_LIMIT_S
        while not event.wait(0.0005):
            if self.stalled.is_set():
                self.now += timeout
                return False
            if time.monotonic() > limit:
                raise AssertionError("a fake source call neither returned nor stalled")
        return True


STALL = "stall"  # the read hangs until the next source is made
END = "end"  # read gives (False, None)
BOOM = "boom"  # read raises


@dataclass
class Session:
    """What one opening of the fake camera does: whether it opens, then its reads in order.

    A read is an image (returned with ``True``), ``None`` (``True, None``: corrupt), or one of
    ``STALL``, ``END``, ``BOOM``; ``dt`` is how long the camera takes to deliver each read.
    After the last read the session ends as ``END``.
    """

    opens: bool = True
    reads: Sequence[Any] = ()
    dt: float | Sequence[float] = 0.0


@dataclass
class FakeCamera:
    """Hands out one :class:`ScriptedSource` per session; past the script it sets ``stop``."""

    clock: FakeClock
    sessions: list[Session]
    stop: threading.Event
    made: list[ScriptedSource] = field(default_factory=list)

    def __call__(self, config: StationConfig) -> ScriptedSource:
        if self.made:
            self.made[-1].unblock.set()  # let an abandoned, stalled read return
        self.clock.stalled.clear()
        if len(self.made) >= len(self.sessions):
            self.stop.set()
            script = Session(opens=False)
        else:
            script = self.sessions[len(self.made)]
        source = ScriptedSource(self.clock, script)
        self.made.append(source)
        return source


class ScriptedSource:
    def __init__(self, clock: FakeClock, script: Session) -> None:
        self.clock = clock
        self.script = script
        self.unblock = threading.Event()
        self.released = threading.Event()
        self._next = 0

    def open(self) -> bool:
        return self.script.opens

    def read(self) -> tuple[bool, np.ndarray | None]:
        k, self._next = self._next, self._next + 1
        dt = self.script.dt
        self.clock.advance(dt if isinstance(dt, float | int) else dt[min(k, len(dt) - 1)])
        item = self.script.reads[k] if k < len(self.script.reads) else END
        if isinstance(item, str) and item == STALL:
            self.clock.stalled.set()
            self.unblock.wait(REAL_LIMIT_S)
            return False, None
        if isinstance(item, str) and item == END:
            return False, None
        if isinstance(item, str) and item == BOOM:
            raise RuntimeError("decoder exploded")
        assert item is None or isinstance(item, np.ndarray)
        return True, item

    def release(self) -> None:
        self.released.set()


def image(value: int = 128, shape: tuple[int, ...] = (24, 32, 3)) -> np.ndarray:
    return np.full(shape, value, np.uint8)
