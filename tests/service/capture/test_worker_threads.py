"""Real threads on the real clock: a read that hangs forever neither hangs its worker nor slows
another station's."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from service.capture import CaptureStatus, CaptureWorker, DropOldestQueue, Frame
from service.config import StationConfig
from tests.service.capture.conftest import MakeConfig


class HangingSource:
    """Opens, then never returns from ``read`` until the test ends."""

    def __init__(self, released: threading.Event) -> None:
        self.released = released

    def open(self) -> bool:
        return True

    def read(self) -> tuple[bool, np.ndarray | None]:
        self.released.wait(10.0)
        return False, None

    def release(self) -> None:
        pass


class CameraSource:
    """A live camera at about 200 fps."""

    def open(self) -> bool:
        return True

    def read(self) -> tuple[bool, np.ndarray | None]:
        time.sleep(0.005)
        return True, np.zeros((8, 8, 3), np.uint8)

    def release(self) -> None:
        pass


def wait_for(predicate: Callable[[], bool], seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_hung_read_is_abandoned_and_other_stations_keep_flowing(
    make_config: MakeConfig,
) -> None:
    released, stop = threading.Event(), threading.Event()
    hung_config = make_config(stall_timeout_s=0.1, backoff_initial_s=0.05, backoff_max_s=0.05)
    live_config = make_config(fps=50).model_copy(update={"id": "st-2"})
    hung: DropOldestQueue[Frame] = DropOldestQueue(4)
    live: DropOldestQueue[Frame] = DropOldestQueue(1000)

    def hanging(config: StationConfig) -> HangingSource:
        return HangingSource(released)

    def camera(config: StationConfig) -> CameraSource:
        return CameraSource()

    workers = [
        CaptureWorker(hung_config, hung, stop, source_factory=hanging),
        CaptureWorker(live_config, live, stop, source_factory=camera),
    ]
    try:
        for worker in workers:
            worker.start()
        status: Callable[[], CaptureStatus] = workers[0].status
        assert wait_for(lambda: status().reconnects >= 2), status()
        assert "stalled" in (status().last_error or "")
        assert wait_for(lambda: len(live) >= 10), workers[1].status()
        assert workers[1].status().connected and workers[1].status().drops["pace"] > 0
        started = time.monotonic()
        stop.set()
        for worker in workers:
            worker.join(2.0)
        assert not any(w.is_alive() for w in workers)
        assert time.monotonic() - started < 1.5  # a worker waiting on a hung read stops soon
        assert [w.status().state for w in workers] == ["stopped", "stopped"]
    finally:
        stop.set()
        released.set()
