"""The worker's small parts: backoff, pacing, offline alarm, frame checks, source descriptions."""

from __future__ import annotations

import numpy as np
import pytest

from service.capture.backoff import Backoff
from service.capture.frames import as_bgr
from service.capture.offline import OfflineMonitor
from service.capture.pacing import Pacer
from service.capture.source import describe_source


def test_backoff_doubles_up_to_the_cap_and_resets() -> None:
    backoff = Backoff(0.5, 3.0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5
    with pytest.raises(ValueError):
        Backoff(2.0, 1.0)


def test_live_pacer_keeps_the_target_rate_of_a_faster_or_jittery_camera() -> None:
    pacer = Pacer(15.0, live=True)
    kept = 0
    for t in np.arange(1, 251) / 25.0:  # 10 s at 25 fps
        if pacer.admit(float(t)):
            pacer.emitted(float(t))
            kept += 1
    assert kept == pytest.approx(150, abs=2)
    pacer = Pacer(15.0, live=True)
    jitter = np.random.default_rng(0).uniform(-0.004, 0.004, 150)
    times = np.arange(1, 151) / 15.0 + jitter  # a 15 fps camera with jitter: nothing dropped
    for t in times:
        assert pacer.admit(float(t))
        pacer.emitted(float(t))


def test_file_pacer_waits_each_turn_and_does_not_burst_after_a_hiccup() -> None:
    pacer = Pacer(10.0, live=False)
    assert pacer.delay(5.0) == 0.0
    pacer.emitted(5.0)
    assert pacer.delay(5.03) == pytest.approx(0.07)
    pacer.emitted(5.1)
    assert pacer.delay(9.0) == 0.0  # 4 s late
    pacer.emitted(9.0)
    assert pacer.delay(9.0) == pytest.approx(0.05)  # half a period, not a burst of 40 frames


def test_offline_monitor_raises_once_and_clears_once() -> None:
    monitor = OfflineMonitor(5.0, now=0.0)
    assert monitor.time_left(1.0) == 4.0
    assert [monitor.check(t) for t in (4.9, 5.0, 6.0, 60.0)] == [None, "raised", None, None]
    assert monitor.time_left(61.0) == float("inf")
    assert monitor.good_frame(61.0) == "cleared"
    assert monitor.good_frame(61.1) is None
    assert monitor.check(66.0) is None and monitor.check(66.2) == "raised"


@pytest.mark.parametrize(
    "frame",
    [
        None,
        "frame",
        np.zeros((0, 4, 3), np.uint8),
        np.zeros((4, 4, 3), np.float32),
        np.zeros((4, 4, 3), np.uint16),
        np.zeros((4, 4, 2), np.uint8),
        np.zeros((2, 4, 4, 3), np.uint8),
        np.zeros(12, np.uint8),
    ],
)
def test_corrupt_frames_are_refused(frame: object) -> None:
    assert as_bgr(frame) is None


@pytest.mark.parametrize("shape", [(4, 6), (4, 6, 1), (4, 6, 3), (4, 6, 4)])
def test_good_frames_become_read_only_bgr(shape: tuple[int, ...]) -> None:
    image = as_bgr(np.full(shape, 9, np.uint8))
    assert image is not None and image.shape == (4, 6, 3) and image.dtype == np.uint8
    assert int(image.min()) == int(image.max()) == 9 and not image.flags.writeable


def test_source_descriptions_hide_credentials() -> None:
    assert describe_source("rtsp://admin:hunter2@10.0.0.5:554/s1") == "rtsp://***@10.0.0.5:554/s1"
    assert describe_source("http://cam/mjpg") == "http://cam/mjpg"
    assert describe_source(2) == "camera 2"
