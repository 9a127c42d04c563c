"""The capture worker against a scripted fake camera on a fake clock: deterministic, no real waits
beyond thread hand-offs."""

from __future__ import annotations

import logging
import re
import threading

import numpy as np
import pytest

from service.capture import CameraEvent, CaptureWorker, DropOldestQueue, Frame
from tests.service.capture.conftest import MakeConfig
from tests.service.capture.fakes import BOOM, STALL, FakeCamera, FakeClock, Session, image

START = 1000.0
LIVE = {
    "backoff_initial_s": 1,
    "backoff_max_s": 4,
    "stall_timeout_s": 2,
    "open_timeout_s": 3,
    "offline_alarm_after_s": 10,
    "corrupt_frames_max": 3,
    "queue_size": 4,
}


def run_worker(
    config_kwargs: dict[str, object],
    make_config: MakeConfig,
    sessions: list[Session],
    caplog: pytest.LogCaptureFixture,
) -> tuple[CaptureWorker, FakeCamera, FakeClock, DropOldestQueue[Frame], list[CameraEvent]]:
    """Run a worker to the end of ``sessions`` in this thread."""
    config = make_config(**config_kwargs)
    clock, stop = FakeClock(START), threading.Event()
    camera = FakeCamera(clock, sessions, stop)
    frames: DropOldestQueue[Frame] = DropOldestQueue(config.capture.queue_size)
    events: list[CameraEvent] = []
    worker = CaptureWorker(
        config, frames, stop, source_factory=camera, clock=clock, on_event=events.append
    )
    with caplog.at_level(logging.INFO, logger="service.capture.worker"):
        worker.run()
    return worker, camera, clock, frames, events


def backoff_delays(caplog: pytest.LogCaptureFixture) -> list[float]:
    found = [re.search(r"reopening .* in ([0-9.]+) s", r.getMessage()) for r in caplog.records]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "reopening" in r.msg]
    assert len(warnings) == len([m for m in found if m])  # one warning line per attempt
    return [float(m.group(1)) for m in found if m]


def drain(frames: DropOldestQueue[Frame]) -> list[Frame]:
    return [frames.get_nowait() for _ in range(len(frames))]


def test_fails_then_frames_then_stalls_then_garbage_then_ends(
    make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = [
        *[Session(opens=False)] * 6,  # 19 s of failed openings: offline raised at 10 s
        Session(  # 6 frames at the target 10 fps, 4 at 50 fps (3 paced out), then a hang
            reads=[image(10 * k) for k in range(10)] + [STALL],
            dt=[0.1] * 6 + [0.02] * 4 + [0.0],
        ),
        Session(reads=[None, image().astype(np.float32), np.zeros((0, 5, 3), np.uint8)]),
        Session(reads=[np.full((24, 32), 7, np.uint8), BOOM]),  # all one value is a good frame
        Session(reads=[image(200)]),  # then the stream ends
    ]  # past the script the camera sets stop
    worker, camera, _, frames, events = run_worker(
        {"source": "rtsp://user:secret@cam.local/live", **LIVE}, make_config, sessions, caplog
    )

    # reconnection: doubling up to the cap, reset by good frames; one warning per attempt
    assert backoff_delays(caplog) == [1, 2, 4, 4, 4, 4, 1, 2, 1, 1]
    assert "secret" not in caplog.text and "user:" not in caplog.text
    reasons = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("stalled: no frame for 2 s" in m for m in reasons)
    assert any("3 corrupt frames in a row" in m for m in reasons)
    assert any("decoder exploded" in m for m in reasons)
    assert any("the stream ended" in m for m in reasons)
    assert len(camera.made) == 11
    assert camera.made[6].released.wait(2.0)  # released once its hung read gave up

    # offline: raised once at 10 s (not again in the next 9 s), cleared once by the first frame
    assert [(e.state, e.kind, e.station_id) for e in events] == [
        ("raised", "camera_offline", "st-1"),
        ("cleared", "camera_offline", "st-1"),
    ]
    assert events[0].offline_for_s == pytest.approx(10.0)
    assert events[0].timestamp == pytest.approx(1_700_000_000.0 + START + 10.0)
    assert events[0].reason == "the source could not be opened"
    assert events[1].offline_for_s == pytest.approx(19.1)

    # frames: 7 + 1 + 1 put; the queue of 4 kept the newest
    status = worker.status()
    assert dict(status.drops) == {"queue_full": 5, "corrupt": 3, "pace": 3}
    assert status.frames == 9 and status.reconnects == 10
    assert (status.state, status.connected, status.offline) == ("stopped", False, False)
    assert status.last_error == "the stream ended"
    kept = drain(frames)
    assert [(f.index, f.session, f.source_index) for f in kept] == [
        (5, 7, 5),
        (6, 7, 8),
        (7, 9, 0),
        (8, 10, 0),
    ]
    assert int(kept[0].image[0, 0, 0]) == 50 and int(kept[1].image[0, 0, 0]) == 80
    assert kept[2].image.shape == (24, 32, 3) and int(kept[2].image.max()) == 7
    assert not kept[0].image.flags.writeable
    assert kept[3].timestamp == pytest.approx(status.last_frame_time)


def test_live_source_measured_fps_and_pacing(
    make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    """A 25 fps camera at a target of 10 fps: 10 frames a second go on, the rest are paced out."""
    sessions = [Session(reads=[image()] * 50, dt=0.04)]  # 2 s of camera
    worker, _, _, frames, _ = run_worker(
        {"fps": 10, "queue_size": 100}, make_config, sessions, caplog
    )
    status = worker.status()
    assert status.frames == 21 and status.drops["pace"] == 29  # 1.96 s of frames kept
    assert status.fps == pytest.approx(10.0, rel=0.05)
    times = np.diff([f.timestamp for f in drain(frames)])
    assert times.min() == pytest.approx(0.08, abs=1e-6)
    assert times.max() == pytest.approx(0.12, abs=1e-6)


def test_file_is_paced_loops_and_finishes(
    make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = [Session(reads=[image(k) for k in range(5)]), Session(reads=[image()] * 3)]
    worker, camera, clock, frames, events = run_worker(
        {"source": "video.mp4", "fps": 10, "queue_size": 16}, make_config, sessions, caplog
    )
    kept = drain(frames)
    assert [(f.index, f.session, f.source_index) for f in kept] == [
        *[(k, 1, k) for k in range(5)],
        *[(5 + k, 2, k) for k in range(3)],
    ]
    # each frame waits its turn at 10 fps; the loop reopens at once, without a backoff
    assert clock.sleeps[:4] == pytest.approx([0.1] * 4)
    assert clock.sleeps[4:7] == pytest.approx([0.1] * 3)
    assert worker.status().reconnects == 0 and worker.status().drops["pace"] == 0
    assert events == [] and len(camera.made) == 3

    worker, _, clock, frames, _ = run_worker(
        {"source": "video.mp4", "loop": False, "queue_size": 4}, make_config, sessions[:1], caplog
    )
    assert worker.status().state == "finished" and worker.status().frames == 5
    assert len(frames) == 4 and worker.status().drops["queue_full"] == 1


def test_empty_file_backs_off_instead_of_spinning(
    make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    worker, _, _, _, _ = run_worker(
        {"source": "video.mp4", "backoff_initial_s": 1}, make_config, [Session()] * 3, caplog
    )
    assert backoff_delays(caplog)[:3] == [1, 2, 4]
    assert worker.status().last_error == "the video file gave no good frame"


def test_event_handler_errors_do_not_stop_capture(
    make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(offline_alarm_after_s=1, backoff_initial_s=2)
    clock, stop = FakeClock(START), threading.Event()
    camera = FakeCamera(clock, [Session(opens=False), Session(reads=[image()])], stop)

    def explode(event: CameraEvent) -> None:
        raise ValueError("handler bug")

    worker = CaptureWorker(
        config, DropOldestQueue(2), stop, source_factory=camera, clock=clock, on_event=explode
    )
    worker.run()
    assert worker.status().frames == 1
    assert "camera event handler failed" in caplog.text
