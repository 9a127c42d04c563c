from __future__ import annotations

import queue
import threading
import time

import pytest

from service.capture import DropOldestQueue


def test_put_drops_the_oldest_and_counts_it() -> None:
    q: DropOldestQueue[int] = DropOldestQueue(3)
    assert [q.put(k) for k in range(5)] == [None, None, None, 0, 1]
    assert q.dropped == 2 and len(q) == 3
    assert [q.get_nowait() for _ in range(3)] == [2, 3, 4]
    with pytest.raises(queue.Empty):
        q.get_nowait()


def test_get_times_out_and_wakes_on_put() -> None:
    q: DropOldestQueue[str] = DropOldestQueue(1)
    started = time.monotonic()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.02)
    assert time.monotonic() - started < 1.0
    timer = threading.Timer(0.02, q.put, args=("late",))
    timer.start()
    assert q.get(timeout=5.0) == "late"
    timer.join()


def test_many_producers_never_exceed_the_bound() -> None:
    q: DropOldestQueue[int] = DropOldestQueue(10)
    threads = [threading.Thread(target=lambda: [q.put(k) for k in range(500)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(q) == 10 and q.dropped == 4 * 500 - 10


def test_rejects_a_zero_bound() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        DropOldestQueue(0)
