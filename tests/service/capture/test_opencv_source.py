"""The real OpenCV source on a tiny video file."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from service.capture import CaptureWorker, DropOldestQueue, Frame, OpenCVSource, opencv_source
from tests.service.capture.conftest import MakeConfig

FRAMES = 10


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 10.0, (64, 48))
    assert writer.isOpened()
    for k in range(FRAMES):
        writer.write(np.full((48, 64, 3), 20 * k + 10, np.uint8))
    writer.release()
    return path


def test_the_worker_reads_every_frame_of_a_file_in_order(
    make_config: MakeConfig, video: Path
) -> None:
    config = make_config(source=video.name, fps=120, loop=False, queue_size=32)
    assert config.source == str(video)
    frames: DropOldestQueue[Frame] = DropOldestQueue(config.capture.queue_size)
    worker = CaptureWorker(config, frames, threading.Event())
    worker.run()
    got = [frames.get_nowait() for _ in range(len(frames))]
    assert [f.source_index for f in got] == list(range(FRAMES))
    assert all(f.image.shape == (48, 64, 3) and f.image.dtype == np.uint8 for f in got)
    means = [float(f.image.mean()) for f in got]
    assert means == pytest.approx([20 * k + 10 for k in range(FRAMES)], abs=4)
    status = worker.status()
    assert (status.state, status.frames, status.reconnects) == ("finished", FRAMES, 0)
    assert sum(status.drops.values()) == 0


def test_opencv_source_opens_reads_to_the_end_and_reopens(video: Path, tmp_path: Path) -> None:
    source = OpenCVSource(str(video), "file", open_timeout_s=1, read_timeout_s=1)
    assert source.read() == (False, None)  # not open yet
    assert source.open()
    reads = [source.read() for _ in range(FRAMES + 1)]
    assert all(ok for ok, _ in reads[:FRAMES]) and reads[FRAMES] == (False, None)
    source.release()
    assert source.open() and source.read()[0]
    source.release()
    assert not OpenCVSource(str(tmp_path / "missing.mp4"), "file", 1, 1).open()


def test_the_default_factory_follows_the_config(make_config: MakeConfig) -> None:
    source = opencv_source(make_config(source="rtsp://cam/1", open_timeout_s=2.5))
    assert (source.target, source.kind, source.open_timeout_ms) == ("rtsp://cam/1", "rtsp", 2500)
    assert opencv_source(make_config(source=3)).kind == "camera"
