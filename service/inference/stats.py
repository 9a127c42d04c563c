"""Counters of the inference worker, kept by its thread and read from any other."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorkerStats:
    """A snapshot of the inference worker's counters."""

    batches: int
    """Batches classified (failed ones included)."""
    frames: int
    """Requests taken off the queue and handed to the classifier."""
    decisions: int
    """Decisions delivered to ``on_decision`` (requests of lifts without masks get none)."""
    mean_batch_size: float
    batch_sizes: dict[int, int] = field(default_factory=dict)
    """Histogram: batch size → how many batches had it."""
    last_inference_ms: float = 0.0
    mean_inference_ms: float = 0.0
    """Time of ``classify`` per batch: preprocessing, embedding, comparison."""
    dropped: int = 0
    """Requests the queue dropped because the worker fell behind (``DropOldestQueue.dropped``)."""
    failed_batches: int = 0
    """Batches whose classification raised; their requests got no decision."""
    callback_errors: int = 0
    """Exceptions raised by ``on_decision`` (logged, then ignored)."""


class StatsRecorder:
    """Accumulates what ``WorkerStats`` reports; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sizes: Counter[int] = Counter()
        self._frames = self._decisions = self._failed = self._callback_errors = 0
        self._total_ms = self._last_ms = 0.0

    def batch(self, size: int, inference_ms: float, decisions: int, failed: bool) -> None:
        """Record one classified batch."""
        with self._lock:
            self._sizes[size] += 1
            self._frames += size
            self._decisions += decisions
            self._failed += int(failed)
            self._last_ms = inference_ms
            self._total_ms += inference_ms

    def callback_error(self) -> int:
        """Count one failed ``on_decision`` call; returns the count so far."""
        with self._lock:
            self._callback_errors += 1
            return self._callback_errors

    def snapshot(self, dropped: int) -> WorkerStats:
        with self._lock:
            batches = sum(self._sizes.values())
            return WorkerStats(
                batches=batches,
                frames=self._frames,
                decisions=self._decisions,
                mean_batch_size=self._frames / batches if batches else 0.0,
                batch_sizes=dict(sorted(self._sizes.items())),
                last_inference_ms=self._last_ms,
                mean_inference_ms=self._total_ms / batches if batches else 0.0,
                dropped=dropped,
                failed_batches=self._failed,
                callback_errors=self._callback_errors,
            )
