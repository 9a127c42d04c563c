"""Calls to one frame source on a helper thread, so that a call that hangs can be abandoned.

``cv2.VideoCapture.read`` on a dead network stream can block far longer than any timeout the
backend honours. The worker submits each call here and waits on its own terms; when a call hangs,
the worker gives up the source, and whatever was queued behind the call (the release) runs on the
helper thread if the call ever returns. The thread is a daemon: it never holds up shutdown.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Pending(Generic[T]):
    """The result of a submitted call; ``done`` is set when it has returned or raised."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self.fn = fn
        self.done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            self._value = self.fn()
        except BaseException as exc:  # handed to whoever reads the result
            self._error = exc
        finally:
            self.done.set()

    def result(self) -> T:
        """The call's value; re-raises what it raised. Only once ``done`` is set."""
        if not self.done.is_set():
            raise RuntimeError("the call has not returned")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class SourceCaller:
    """Runs calls one after the other on its own daemon thread."""

    def __init__(self, name: str) -> None:
        self._calls: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], T]) -> Pending[T]:
        pending = Pending(fn)
        self._calls.put(pending.run)
        return pending

    def close(self) -> None:
        """End the thread once the calls already submitted have run."""
        self._calls.put(None)

    def _serve(self) -> None:
        while (run := self._calls.get()) is not None:
            run()
