"""One output's worker thread: takes its jobs in order, retries each with backoff, records it.

Every state goes to the alarm store (``alarm_deliveries``): ``pending`` when the event is handed
over, the attempts and last error as they happen, then ``delivered`` or ``failed``. A failed
attempt is logged as a WARNING, a delivery given up as an ERROR. The queue is bounded: when a
receiver is down for long, the oldest waiting delivery is dropped (and marked failed) rather than
memory growing. At shutdown the delivery in progress and those queued stay ``pending``, to be
resumed at the next start (see :class:`~service.outputs.service.DeliveryService`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from service.alarms import AlarmStore, AlarmStoreError, DeliveryRecord, DeliveryStatus
from service.capture.drop_queue import DropOldestQueue
from service.outputs.policy import Job, RetryPolicy
from service.outputs.sender import DeliveryError, Sender

logger = logging.getLogger(__name__)

QUEUE_SIZE = 1000
POLL_S = 0.2


class OutputWorker:
    """Delivers the jobs of one :class:`Sender` (one station's webhook, or its MQTT topic)."""

    def __init__(
        self,
        sender: Sender,
        policy: RetryPolicy,
        store: AlarmStore,
        stop: threading.Event,
        queue_size: int = QUEUE_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sender = sender
        self.policy = policy
        self.store = store
        self.stop_event = stop
        self.clock = clock
        self.queue: DropOldestQueue[Job] = DropOldestQueue(queue_size)
        self.consecutive_failures = 0
        self._outstanding = 0
        self._backing_off = False
        """Jobs submitted and not finished (queued or being delivered)."""
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._run, name=f"output-{sender.kind}-{sender.station_id}", daemon=True
        )

    @property
    def name(self) -> str:
        return f"{self.sender.kind} output of {self.sender.station_id} ({self.sender.target})"

    @property
    def idle(self) -> bool:
        """Whether no job is waiting or being delivered (or it waits out a backoff: nothing
        will be delivered before that ends)."""
        with self._lock:
            return self._outstanding == 0 or self._backing_off

    def submit(self, job: Job) -> None:
        """Queue ``job`` (recorded ``pending``); when the queue is full its oldest job goes."""
        self._record(job, "pending", None)
        with self._lock:
            self._outstanding += 1
        evicted = self.queue.put(job)
        if evicted is not None:
            with self._lock:
                self._outstanding -= 1
            logger.warning("%s: %d deliveries waiting, dropping the oldest", self.name, QUEUE_SIZE)
            self._record(evicted, "failed", "dropped: too many deliveries waiting")

    def start(self) -> None:
        self.sender.open()
        self._thread.start()

    def join(self, timeout: float) -> None:
        """Wait for the thread (after the stop event is set), then close the sender."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.sender.close()

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                job = self.queue.get(timeout=POLL_S)
            except queue.Empty:
                continue
            try:
                self._deliver(job)
            finally:
                with self._lock:
                    self._outstanding -= 1
        if len(self.queue):
            logger.info("%s: %d deliveries left pending at shutdown", self.name, len(self.queue))

    def _deliver(self, job: Job) -> None:
        if self.policy.expired(self._age(job)):
            self._give_up(job, f"expired: {self._age(job):.0f} s old before an attempt was made")
            return
        while not self.stop_event.is_set():
            job.attempts += 1
            try:
                self.sender.send(job)
            except DeliveryError as exc:
                error = str(exc)
            except Exception as exc:  # a bug in an output must not kill its thread
                logger.exception("%s: unexpected error", self.name)
                error = f"{type(exc).__name__}: {exc}"
            else:
                self._delivered(job)
                return
            self.consecutive_failures += 1
            wait = self.policy.next_wait(job.attempts, self._age(job))
            if wait is None:
                self._give_up(job, error)
                return
            self._record(job, "pending", error)
            logger.warning(
                "%s: %s of alarm %s, attempt %d/%d failed: %s; retrying in %.3g s",
                self.name, job.event.kind, job.event.record.id, job.attempts,
                self.policy.max_attempts, error, wait,
            )  # fmt: skip
            self._backing_off = True
            self.stop_event.wait(wait)
            self._backing_off = False

    def _delivered(self, job: Job) -> None:
        self._record(job, "delivered", None)
        if self.consecutive_failures:
            logger.info("%s: delivering again after %d failed attempt(s)", self.name,
                           self.consecutive_failures)  # fmt: skip
        self.consecutive_failures = 0
        logger.info("%s: %s of alarm %s delivered (attempt %d)", self.name, job.event.kind,
                    job.event.record.id, job.attempts)  # fmt: skip

    def _give_up(self, job: Job, error: str) -> None:
        self._record(job, "failed", error)
        logger.error(
            "%s: %s of alarm %s NOT DELIVERED after %d attempt(s) in %.0f s: %s",
            self.name, job.event.kind, job.event.record.id, job.attempts, self._age(job), error,
        )  # fmt: skip

    def _age(self, job: Job) -> float:
        return max(0.0, self.clock() - job.created_at)

    def _record(self, job: Job, status: DeliveryStatus, error: str | None) -> None:
        record = DeliveryRecord(
            alarm_id=job.event.record.id,
            output=self.sender.kind,
            event=job.event.kind,
            station_id=self.sender.station_id,
            status=status,
            attempts=job.attempts,
            last_error=error,
            created_at=job.created_at,
            updated_at=self.clock(),
        )
        try:
            self.store.save_delivery(record)
        except AlarmStoreError as exc:
            logger.warning("%s: delivery state not recorded: %s", self.name, exc)
