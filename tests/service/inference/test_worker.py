"""The inference worker on real threads: bounded batches, prompt answers and stops, a hot
engine swap that loses nothing, and callbacks or engines that raise without killing it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from service.capture.drop_queue import DropOldestQueue
from service.inference.classifier import CropClassifier
from service.inference.masks import MaskEmbeddingCache
from service.inference.messages import CropRequest, FrameDecision
from service.inference.worker import InferenceWorker
from tests.service.inference.fakes import FakeEngine, half_masks, request


class Sink:
    """Collects decisions; ``raise_for`` frames make the callback raise instead."""

    def __init__(self, raise_for: set[int] | None = None) -> None:
        self.decisions: list[FrameDecision] = []
        self.raise_for = raise_for or set()
        self.lock = threading.Lock()

    def __call__(self, decision: FrameDecision) -> None:
        if decision.frame in self.raise_for:
            raise RuntimeError(f"callback fails on frame {decision.frame}")
        with self.lock:
            self.decisions.append(decision)

    def frames(self) -> list[int]:
        with self.lock:
            return [d.frame for d in self.decisions]


def wait_for(predicate: Callable[[], bool], seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


@contextmanager
def running(
    engine: FakeEngine, sink: Sink, maxsize: int = 1000, **kw: float
) -> Iterator[tuple[InferenceWorker, DropOldestQueue[CropRequest]]]:
    cache = MaskEmbeddingCache(engine)
    cache.set_masks("lift-01", *half_masks())
    queue: DropOldestQueue[CropRequest] = DropOldestQueue(maxsize)
    stop = threading.Event()
    worker = InferenceWorker(CropClassifier(engine, cache), queue, sink, stop, **kw)  # type: ignore[arg-type]
    worker.start()
    try:
        yield worker, queue
    finally:
        stop.set()
        worker.join(2.0)
        assert not worker.is_alive()


def test_batches_never_exceed_max_batch() -> None:
    engine, sink = FakeEngine(delay_s=0.005), Sink()
    with running(engine, sink, max_batch=4, max_wait_ms=20) as (worker, queue):
        for frame in range(30):
            queue.put(request(frame))
        assert wait_for(lambda: len(sink.frames()) == 30)
        stats = worker.stats()
    assert sorted(sink.frames()) == list(range(30))
    assert max(engine.calls[1:]) <= 4 and max(stats.batch_sizes) <= 4
    assert stats.batch_sizes.get(4, 0) >= 5  # a full queue makes full batches
    assert (stats.frames, stats.decisions, stats.batches) == (
        30,
        30,
        sum(stats.batch_sizes.values()),
    )
    assert stats.mean_batch_size == pytest.approx(30 / stats.batches)
    assert stats.mean_inference_ms > 0 and stats.dropped == 0


def test_a_lone_request_is_answered_within_max_wait() -> None:
    engine, sink = FakeEngine(delay_s=0.01), Sink()
    with running(engine, sink, max_batch=8, max_wait_ms=30) as (worker, queue):
        time.sleep(0.05)  # the worker is idle, waiting
        start = time.monotonic()
        queue.put(request(1))
        assert wait_for(lambda: sink.frames() == [1], 1.0)
        latency = time.monotonic() - start
        stats = worker.stats()
    assert latency < 0.03 + 0.01 + 0.25  # max_wait + inference + slack for a busy machine
    assert stats.batch_sizes == {1: 1} and stats.last_inference_ms >= 10


def test_stop_is_prompt_idle_or_busy() -> None:
    for delay in (0.0, 0.02):
        engine, sink = FakeEngine(delay_s=delay), Sink()
        with running(engine, sink, max_wait_ms=1000) as (worker, queue):
            queue.put(request(0))
            time.sleep(0.05)
            start = time.monotonic()
            worker.stop_event.set()
            worker.join(1.0)
            assert not worker.is_alive() and time.monotonic() - start < 0.5


def test_a_hot_swap_loses_nothing_and_later_decisions_carry_the_new_model() -> None:
    old, new, sink = (
        FakeEngine("fake@old", delay_s=0.002),
        FakeEngine("fake@new", delay_s=0.002),
        Sink(),
    )
    swapped_at: list[int] = []
    with running(old, sink, max_batch=4, max_wait_ms=5) as (worker, queue):
        for frame in range(120):
            queue.put(request(frame))
            if frame == 60:
                worker.swap_engine(new)
                swapped_at.append(frame)
            time.sleep(0.001)
        assert wait_for(lambda: len(sink.frames()) == 120)
        dropped = worker.stats().dropped
    assert sorted(sink.frames()) == list(range(120)) and dropped == 0
    models = [d.model for d in sorted(sink.decisions, key=lambda d: d.frame)]
    assert models[swapped_at[0] + 1 :] == ["fake@new"] * (119 - swapped_at[0])
    assert models[0] == "fake@old" and models == sorted(models, key=lambda m: m == "fake@new")
    assert new.calls[0] == 2  # the masks were re-embedded before the new engine's first batch


def test_a_raising_callback_does_not_kill_the_worker(caplog: pytest.LogCaptureFixture) -> None:
    sink = Sink(raise_for={0, 1, 2})
    with running(FakeEngine(), sink, max_batch=2, max_wait_ms=1) as (worker, queue):
        for frame in range(6):
            queue.put(request(frame))
        assert wait_for(lambda: len(sink.frames()) == 3)
        assert worker.is_alive()
        stats = worker.stats()
    assert sink.frames() == [3, 4, 5] and stats.callback_errors == 3 and stats.decisions == 6
    errors = [r for r in caplog.records if "on_decision raised" in r.getMessage()]
    assert len(errors) == 1 and errors[0].exc_info  # logged with its traceback, then throttled


def test_a_failing_engine_fails_its_batch_only() -> None:
    engine, sink = FakeEngine(), Sink()
    with running(engine, sink, max_batch=1, max_wait_ms=0) as (worker, queue):
        engine.fail = True
        queue.put(request(0))
        assert wait_for(lambda: worker.stats().failed_batches == 1)
        engine.fail = False
        queue.put(request(1))
        assert wait_for(lambda: sink.frames() == [1])


def test_stats_count_what_the_queue_dropped() -> None:
    engine, sink = FakeEngine(delay_s=0.05), Sink()
    with running(engine, sink, maxsize=2, max_batch=1, max_wait_ms=0) as (worker, queue):
        for frame in range(10):
            queue.put(request(frame))
        assert wait_for(lambda: worker.stats().frames + worker.stats().dropped == 10)
        assert worker.stats().dropped >= 5


def test_bad_settings_are_refused() -> None:
    cache = MaskEmbeddingCache(FakeEngine())
    queue: DropOldestQueue[CropRequest] = DropOldestQueue(4)
    classifier = CropClassifier(cache.engine, cache)
    with pytest.raises(ValueError, match="max_batch"):
        InferenceWorker(classifier, queue, Sink(), threading.Event(), max_batch=0)
    with pytest.raises(ValueError, match="max_wait_ms"):
        InferenceWorker(classifier, queue, Sink(), threading.Event(), max_wait_ms=-1)


def test_batch_observers_see_every_batch_and_cannot_stop_the_worker() -> None:
    seen: list[tuple[int, float]] = []

    def broken(size: int, ms: float) -> None:
        raise RuntimeError("observer failure")

    def observer(size: int, ms: float) -> None:
        seen.append((size, ms))

    engine, sink = FakeEngine(), Sink()
    with running(engine, sink, max_batch=4, max_wait_ms=1) as (worker, queue):
        worker.add_observer(broken)
        worker.add_observer(observer)
        for frame in range(6):
            queue.put(request(frame))
        assert wait_for(lambda: len(sink.frames()) == 6)
        assert wait_for(lambda: sum(size for size, _ in seen) == 6)
        assert all(ms >= 0 for _, ms in seen)
        worker.remove_observer(observer)
        queue.put(request(6))
        assert wait_for(lambda: len(sink.frames()) == 7)
    assert sum(size for size, _ in seen) == 6
