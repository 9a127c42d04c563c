"""The capture worker of one station: its source's frames, paced, onto a drop-oldest queue.

One thread per station, sharing no lock with any other. A *session* is one opening of the source:
the worker opens it, reads until it fails, then releases it and opens a fresh one. A failed open,
a read error, a stall (no frame within ``stall_timeout_s``: calls to the source run on a helper
thread, so a read that hangs is abandoned rather than waited for), or too many corrupt frames in
a row end a session with a wait before the next one that doubles up to ``backoff_max_s``; the
first good frame resets it. The end of a video file starts it again at once (``loop``) or
finishes the worker. All the while, no good frame for ``offline_alarm_after_s`` raises
``camera_offline``, once, and the next good frame clears it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from service.capture.backoff import Backoff
from service.capture.caller import SourceCaller
from service.capture.clock import Clock, SystemClock
from service.capture.drop_queue import DropOldestQueue
from service.capture.frames import as_bgr
from service.capture.messages import CameraEvent, CaptureState, CaptureStatus, Frame
from service.capture.offline import OfflineAlarm
from service.capture.pacing import Pacer
from service.capture.source import FrameSource, SourceFactory, describe_source, opencv_source
from service.capture.tracker import StatusTracker
from service.capture.waiting import Outcome, Waiter
from service.config import StationConfig

logger = logging.getLogger(__name__)

EventCallback = Callable[[CameraEvent], None]
"""Called on the worker's thread: it should hand the event on (a queue, the alarm store) quickly;
what it raises is logged and ignored."""

RELEASE_WAIT_S = 1.0  # how long the next opening waits for the previous release


@dataclass(frozen=True)
class _End:
    """Why a session ended and what comes next."""

    next: Literal["reopen", "backoff", "finish", "stop"]
    reason: str
    hung: bool = False  # a call to the source is still running: do not wait for the release


class CaptureWorker:
    """Reads ``config.source`` in its own thread and puts :class:`Frame` s on ``out_queue``."""

    def __init__(
        self,
        config: StationConfig,
        out_queue: DropOldestQueue[Frame],
        stop_event: threading.Event,
        *,
        source_factory: SourceFactory = opencv_source,
        clock: Clock | None = None,
        on_event: EventCallback | None = None,
    ) -> None:
        self.config = config
        self.out_queue = out_queue
        self.stop_event = stop_event
        self._factory = source_factory
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._is_file = config.source_kind == "file"
        self._backoff = Backoff(config.capture.backoff_initial_s, config.capture.backoff_max_s)
        self._pacer = Pacer(config.fps, live=not self._is_file)
        self._tracker = StatusTracker(config.id)
        self._alarm = OfflineAlarm(
            config.id, config.capture.offline_alarm_after_s, self._clock, self._tracker, on_event
        )
        self._waiter = Waiter(self._clock, stop_event, self._alarm.watch)
        self._session = 0
        self._index = 0
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------ thread and status

    def start(self) -> None:
        """Run :meth:`run` in a daemon thread named ``capture-<station id>``."""
        if self._thread is not None:
            raise RuntimeError(f"capture worker of {self.config.id} already started")
        self._thread = threading.Thread(
            target=self.run, name=f"capture-{self.config.id}", daemon=True
        )
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def status(self) -> CaptureStatus:
        """A snapshot of the worker; safe from any thread."""
        return self._tracker.snapshot(self._clock.monotonic())

    def run(self) -> None:
        """Capture until ``stop_event`` is set (or a video file ends without ``loop``)."""
        self._alarm.restart()
        final: CaptureState = "stopped"
        try:
            final = self._sessions()
        except Exception:
            logger.exception("station %s: capture worker crashed", self.config.id)
            self._tracker.failed("capture worker crashed")
        finally:
            self._tracker.set_state(final)

    # ------------------------------------------------------------------------ sessions

    def _sessions(self) -> CaptureState:
        while not self.stop_event.is_set():
            end = self._session_once()
            if end.next in ("stop", "finish"):
                logger.info("station %s: capture ends: %s", self.config.id, end.reason)
                return "finished" if end.next == "finish" else "stopped"
            if end.next == "reopen":
                logger.debug("station %s: %s, reopening", self.config.id, end.reason)
                continue
            self._alarm.reason = end.reason
            self._tracker.failed(end.reason)
            self._pacer.reset()  # a file loop keeps its pace; a new connection starts afresh
            delay = self._backoff.next_delay()
            logger.warning(
                "station %s: %s; reopening %s in %.1f s (attempt %d)",
                self.config.id,
                end.reason,
                describe_source(self.config.source),
                delay,
                self._backoff.failures,
            )
            self._tracker.set_state("waiting")
            if self._waiter.sleep(delay):
                break
            self._tracker.reconnecting()
        return "stopped"

    def _session_once(self) -> _End:
        self._tracker.set_state("connecting")
        try:
            source = self._factory(self.config)
        except Exception as exc:
            return _End("backoff", f"cannot create the source: {exc!r}")
        if self.stop_event.is_set():
            return _End("stop", "stopped")
        self._session += 1
        caller = SourceCaller(f"capture-{self.config.id}-io{self._session}")
        end = _End("stop", "stopped", hung=True)
        try:
            end = self._open(caller, source) or self._stream(caller, source)
        finally:
            self._tracker.set_state("connecting")
            release = caller.submit(source.release)
            caller.close()
            if not end.hung:
                self._waiter.wait_for(release.done, RELEASE_WAIT_S)
        return end

    def _open(self, caller: SourceCaller, source: FrameSource) -> _End | None:
        timeout = self.config.capture.open_timeout_s
        pending = caller.submit(source.open)
        outcome = self._waiter.wait_for(pending.done, timeout)
        if outcome != "done":
            return self._unfinished(outcome, f"opening timed out after {timeout:g} s")
        try:
            opened = pending.result()
        except Exception as exc:
            return _End("backoff", f"opening failed: {exc!r}")
        if not opened:
            return _End("backoff", "the source could not be opened")
        self._tracker.set_state("connected", connected=True)
        logger.info(
            "station %s: %s open (session %d)",
            self.config.id,
            describe_source(self.config.source),
            self._session,
        )
        return None

    def _stream(self, caller: SourceCaller, source: FrameSource) -> _End:
        timeout = self.config.capture.stall_timeout_s
        position = good = corrupt = 0
        while True:
            pending = caller.submit(source.read)
            outcome = self._waiter.wait_for(pending.done, timeout)
            if outcome != "done":
                return self._unfinished(outcome, f"stalled: no frame for {timeout:g} s")
            try:
                ok, raw = pending.result()
            except Exception as exc:
                return _End("backoff", f"reading failed: {exc!r}")
            if not ok:
                return self._ended(good)
            image = as_bgr(raw)
            position += 1
            if image is None:
                self._tracker.dropped("corrupt")
                corrupt += 1
                if corrupt >= self.config.capture.corrupt_frames_max:
                    return _End("backoff", f"{corrupt} corrupt frames in a row")
                continue
            good, corrupt = good + 1, 0
            self._good_frame()
            if self._deliver(image, position - 1):
                return _End("stop", "stopped")

    @staticmethod
    def _unfinished(outcome: Outcome, timeout_reason: str) -> _End:
        if outcome == "stopped":
            return _End("stop", "stopped", hung=True)
        return _End("backoff", timeout_reason, hung=True)

    def _ended(self, good: int) -> _End:
        if not self._is_file:
            return _End("backoff", "the stream ended")
        if good == 0:
            return _End("backoff", "the video file gave no good frame")
        if not self.config.capture.loop:
            return _End("finish", "end of the video file")
        return _End("reopen", "end of the video file")

    # ------------------------------------------------------------------------ frames

    def _good_frame(self) -> None:
        self._tracker.good_frame(self._clock.time())
        self._backoff.reset()
        self._alarm.good_frame()

    def _deliver(self, image: np.ndarray, position: int) -> bool:
        """Pace and put one good frame on the queue; return whether the worker was stopped."""
        now = self._clock.monotonic()
        if not self._pacer.admit(now):
            self._tracker.dropped("pace")
            return False
        delay = self._pacer.delay(now)
        if delay > 0:
            if self._waiter.sleep(delay):
                return True
            now = self._clock.monotonic()
        frame = Frame(
            self.config.id, self._index, self._clock.time(), image, position, self._session
        )
        self._index += 1
        if self.out_queue.put(frame) is not None:
            self._tracker.dropped("queue_full")
        self._pacer.emitted(now)
        self._tracker.emitted(now)
        return False
