"""Replay: one station's whole pipeline over a recorded video, as fast as it can run.

Engineers validate a new camera on recorded footage before going live: the same registration,
passage tracking, classifier and alarm rule as ``liftwatch serve``, frame by frame in order,
crops classified in batches of ``max_batch`` (flushed early whenever a passage waits for its
decisions). Nothing is raised or stored: the per-passage results are returned.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

from service.capture.messages import Frame
from service.config import StationConfig
from service.inference import CropClassifier
from service.inference.messages import CropRequest
from service.pipeline.build import StationSetupError, registrar_for
from service.pipeline.results import ReplayResult
from service.pipeline.station import StationAnalyser

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def video_source(config: StationConfig, override: Path | None) -> Path:
    """The file to replay: ``override``, else the station's own source if it is a file."""
    if override is not None:
        return override
    if config.source_kind != "file":
        raise StationSetupError(
            f"station {config.id} films a live {config.source_kind} source: give --source VIDEO"
        )
    return Path(str(config.source))


def read_video(path: Path) -> tuple[Iterator[np.ndarray], float, int]:
    """The frames of ``path``, its fps (0 when unknown) and frame count (0 when unknown)."""
    if not path.is_file():
        raise StationSetupError(f"video {path} does not exist")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise StationSetupError(f"video {path} cannot be opened by OpenCV")
    fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)

    def frames() -> Iterator[np.ndarray]:
        try:
            while True:
                ok, image = capture.read()
                if not ok or image is None:
                    return
                yield image
        finally:
            capture.release()

    return frames(), fps, count


def replay(
    config: StationConfig,
    classifier: CropClassifier,
    source: Path | None = None,
    *,
    max_batch: int = 8,
    progress: Progress | None = None,
) -> ReplayResult:
    """Run ``config``'s station over ``source`` (default: its own video file)."""
    path = video_source(config, source)
    frames, fps, count = read_video(path)
    fps = fps if fps > 0 and math.isfinite(fps) else config.fps
    analyser = StationAnalyser(config, registrar_for(config), decision_timeout_s=math.inf)
    engine = classifier.engine
    result = ReplayResult(config.id, config.lift, str(path), fps, 0, engine.model_id, engine.name)
    batch: list[CropRequest] = []
    start = time.perf_counter()

    def flush() -> None:
        for decision in classifier.classify(batch):
            analyser.decided(decision)
        batch.clear()

    for k, image in enumerate(frames):
        if image.shape != analyser.registrar.reference.image.shape:
            raise StationSetupError(
                f"{path} frame {k} is {image.shape[1]}×{image.shape[0]}, the reference of "
                f"station {config.id} is {config.registration.reference}: not the same camera"
            )
        request = analyser.analyse(Frame(config.id, k, k / fps, image, k, 0))
        if request is not None:
            batch.append(request)
        if len(batch) >= max_batch or (batch and analyser.waiting):
            flush()
        result.passages += analyser.resolve()
        result.frames = k + 1
        if progress is not None:
            progress(k + 1, count)
    flush()
    analyser.finish()
    flush()
    result.passages += analyser.resolve(force=True)
    result.registered_frames = analyser.state().registered
    result.seconds = time.perf_counter() - start
    if result.frames == 0:
        raise StationSetupError(f"video {path} has no readable frame")
    return result
