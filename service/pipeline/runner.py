"""The thread of one station in ``liftwatch serve``: frames in, crops out, decisions back.

It takes frames from the station's capture queue, runs the station's analyser on them, puts the
crops on the shared inference queue, and feeds the decisions the inference worker routes back
(``deliver``, called on the inference thread) to the analyser on its own thread, so that the
analyser stays single-threaded. Resolved passages go to ``on_result``; each decision's
frame-to-decision latency goes to the ``latency`` window and to every ``DecisionObserver`` added
with ``add_observer`` (metrics), which must be quick and are never allowed to stop the thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from service.capture.drop_queue import DropOldestQueue
from service.capture.messages import Frame
from service.inference.messages import CropRequest, FrameDecision
from service.inference.throttle import Throttle
from service.pipeline.latency import LatencyWindow
from service.pipeline.rate import RateMeter
from service.pipeline.results import PassageResult
from service.pipeline.station import StationAnalyser

logger = logging.getLogger(__name__)

POLL_S = 0.05  # how long the thread waits for a frame before looking at decisions again

DecisionObserver = Callable[[FrameDecision, float], None]
"""Called on the station's thread with each decision and its frame-to-decision latency (s)."""


class StationRunner:
    """Runs one :class:`StationAnalyser` on its own thread."""

    def __init__(
        self,
        analyser: StationAnalyser,
        frames: DropOldestQueue[Frame],
        requests: DropOldestQueue[CropRequest],
        stop_event: threading.Event,
        *,
        on_result: Callable[[PassageResult], None] | None = None,
        latency: LatencyWindow | None = None,
    ) -> None:
        self.analyser = analyser
        self.frames = frames
        self.requests = requests
        self.stop_event = stop_event
        self.on_result = on_result
        self.latency = latency or LatencyWindow()
        self._inbox: queue.SimpleQueue[FrameDecision] = queue.SimpleQueue()
        self.analysed = RateMeter()
        """Frames analysed per second lately."""
        self._observers: tuple[DecisionObserver, ...] = ()
        self._observer_log = Throttle(10.0)
        self._thread: threading.Thread | None = None
        self.errors = 0

    @property
    def station_id(self) -> str:
        return self.analyser.config.id

    def add_observer(self, observer: DecisionObserver) -> None:
        """Call ``observer`` for every later decision (any thread may add or remove)."""
        self._observers = (*self._observers, observer)

    def remove_observer(self, observer: DecisionObserver) -> None:
        self._observers = tuple(o for o in self._observers if o != observer)

    def deliver(self, decision: FrameDecision) -> None:
        """A decision for this station (any thread)."""
        self._inbox.put(decision)

    def start(self) -> None:
        name = f"station-{self.station_id}"
        self._thread = threading.Thread(target=self.run, name=name, daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        while not self.stop_event.is_set():
            self._drain()
            try:
                frame = self.frames.get(timeout=POLL_S)
            except queue.Empty:
                frame = None
            if frame is not None:
                self._analyse(frame)
            self._resolve(force=False)
        self._drain()
        self._resolve(force=True)

    def _analyse(self, frame: Frame) -> None:
        try:
            request = self.analyser.analyse(frame)
        except Exception:  # a bad frame must not stop the station
            self.errors += 1
            logger.exception("%s: frame %d could not be analysed", self.station_id, frame.index)
            return
        self.analysed.tick()
        if request is not None:
            self.requests.put(request)

    def _drain(self) -> None:
        while True:
            try:
                decision = self._inbox.get_nowait()
            except queue.Empty:
                return
            latency = decision.decided_at - decision.timestamp
            self.latency.add(latency)
            self._observe(decision, latency)
            self.analyser.decided(decision)

    def _observe(self, decision: FrameDecision, latency: float) -> None:
        for observer in self._observers:
            try:
                observer(decision, latency)
            except Exception:
                if self._observer_log.ready():
                    logger.exception("%s: a decision observer failed", self.station_id)

    def _resolve(self, force: bool) -> None:
        for result in self.analyser.resolve(force=force):
            if self.on_result is not None:
                try:
                    self.on_result(result)
                except Exception:
                    logger.exception("%s: passage result handler failed", self.station_id)
