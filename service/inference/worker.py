"""The inference worker: crop requests off a drop-oldest queue, classified in small batches.

Batching trades a little latency for throughput: the worker waits for a first request, then
keeps collecting until it holds ``max_batch`` requests or ``max_wait_ms`` have passed since the
first one, and classifies them with one engine call. A lone request is thus answered within
``max_wait_ms`` plus one inference. Under load the queue fills, batches grow to ``max_batch``,
and when even that is too slow the queue drops the oldest requests (counted in ``stats()``).

Every decision goes to ``on_decision`` on the worker's thread; it should hand the decision on
quickly. What it raises, and a batch whose classification raises, is logged (throttled) and
counted, and the worker carries on. Waits are sliced so that setting ``stop_event`` ends
``run()`` within about ``POLL_S`` seconds (plus the batch in hand, if any).

Each batch's size and classification time also go to every ``BatchObserver`` added with
``add_observer`` (metrics histograms): called on the worker's thread, they must be quick; one
that raises is logged (throttled) and ignored.

``swap_engine`` changes the model while frames flow: the batch in flight finishes on the old
engine, the masks are re-embedded with the new one, and every batch that starts after
``swap_engine`` returns uses the new one. No request is lost.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from service.capture.drop_queue import DropOldestQueue
from service.inference.classifier import CropClassifier
from service.inference.engines import Engine
from service.inference.messages import CropRequest, FrameDecision
from service.inference.stats import StatsRecorder, WorkerStats
from service.inference.throttle import Throttle

log = logging.getLogger(__name__)

DecisionCallback = Callable[[FrameDecision], None]
BatchObserver = Callable[[int, float], None]
"""Called after each batch with its size and its classification time in milliseconds."""
POLL_S = 0.1
"""Longest single wait on the queue: how soon a stop is noticed."""
LOG_EVERY_S = 10.0
"""A recurring failure (a raising callback, a failing engine) is logged at most this often."""


class InferenceWorker:
    """Runs ``classifier`` over batches from ``requests`` until ``stop_event`` is set."""

    def __init__(
        self,
        classifier: CropClassifier,
        requests: DropOldestQueue[CropRequest],
        on_decision: DecisionCallback,
        stop_event: threading.Event,
        *,
        max_batch: int = 8,
        max_wait_ms: float = 10.0,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}")
        if max_wait_ms < 0:
            raise ValueError(f"max_wait_ms must be >= 0, got {max_wait_ms}")
        self.classifier = classifier
        self.requests = requests
        self.on_decision = on_decision
        self.stop_event = stop_event
        self.max_batch = max_batch
        self.max_wait_s = max_wait_ms / 1000.0
        self._stats = StatsRecorder()
        self._callback_log = Throttle(LOG_EVERY_S)
        self._failure_log = Throttle(LOG_EVERY_S)
        self._observer_log = Throttle(LOG_EVERY_S)
        self._observers: tuple[BatchObserver, ...] = ()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------ thread

    def start(self) -> None:
        """Run :meth:`run` in a daemon thread named ``inference``."""
        if self._thread is not None:
            raise RuntimeError("inference worker already started")
        self._thread = threading.Thread(target=self.run, name="inference", daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        """Classify batches until ``stop_event`` is set (the thread's target)."""
        log.info(
            "inference worker started: %s, batches of up to %d within %.1f ms",
            self.classifier.engine.model_id,
            self.max_batch,
            self.max_wait_s * 1000,
        )
        while not self.stop_event.is_set():
            batch = self._collect()
            if batch:
                self._process(batch)
        log.info("inference worker stopped")

    # ------------------------------------------------------------------------ control and status

    def swap_engine(self, engine: Engine) -> None:
        """Serve with ``engine`` from the next batch on (see the module doc); safe from any
        thread, blocks the caller while the masks are re-embedded."""
        old = self.classifier.engine
        self.classifier.swap_engine(engine)
        log.info(
            "inference engine swapped: %s %s → %s %s",
            old.name,
            old.model_id,
            engine.name,
            engine.model_id,
        )

    def add_observer(self, observer: BatchObserver) -> None:
        """Call ``observer(size, ms)`` after every later batch; safe from any thread."""
        self._observers = (*self._observers, observer)

    def remove_observer(self, observer: BatchObserver) -> None:
        self._observers = tuple(o for o in self._observers if o != observer)

    def stats(self) -> WorkerStats:
        """A snapshot of the counters; safe from any thread."""
        return self._stats.snapshot(dropped=self.requests.dropped)

    # ------------------------------------------------------------------------ batches

    def _collect(self) -> list[CropRequest]:
        """The next batch: empty when no request came within ``POLL_S``."""
        try:
            batch = [self.requests.get(timeout=POLL_S)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.max_wait_s
        while len(batch) < self.max_batch and not self.stop_event.is_set():
            remaining = deadline - time.monotonic()
            try:
                batch.append(self.requests.get(timeout=max(0.0, min(remaining, POLL_S))))
            except queue.Empty:
                if remaining <= POLL_S:
                    break
        return batch

    def _process(self, batch: list[CropRequest]) -> None:
        start = time.perf_counter()
        failed = False
        try:
            decisions = self.classifier.classify(batch)
        except Exception:
            failed, decisions = True, []
            if self._failure_log.ready():
                log.exception(
                    "a batch of %d crop(s) failed; its frames get no decision", len(batch)
                )
        elapsed_ms = (time.perf_counter() - start) * 1000.0
        self._stats.batch(len(batch), elapsed_ms, len(decisions), failed)
        self._observe(len(batch), elapsed_ms)
        for decision in decisions:
            self._deliver(decision)

    def _observe(self, size: int, elapsed_ms: float) -> None:
        for observer in self._observers:
            try:
                observer(size, elapsed_ms)
            except Exception:
                if self._observer_log.ready():
                    log.exception("a batch observer failed; the worker goes on")

    def _deliver(self, decision: FrameDecision) -> None:
        try:
            self.on_decision(decision)
        except Exception:
            count = self._stats.callback_error()
            if self._callback_log.ready():
                log.exception("on_decision raised (%d time(s) so far); the worker goes on", count)
