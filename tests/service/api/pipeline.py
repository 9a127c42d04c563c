"""A tiny real pipeline for the API tests: two stations of one lift, a fake instant engine.

The cameras never open (the capture threads idle); tests put frames on a station's queue
themselves (``feed``), so the station thread registers them, the inference worker judges the
crops with the lift's live masks, and the decisions come back to the station, as in service.

The reference shows a bright carrier in the left half of its ROI, so the registered crop is
bright on the left: the fake engine (left-half mean, right-half mean) puts it next to a mask
that is white on the left (``LEFT``) and far from one white on the right (``RIGHT``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from service.alarms import AlarmBus, AlarmRaiser, AlarmStore, SnapshotStore
from service.capture.messages import Frame
from service.config import StationConfig
from service.inference import CropClassifier, MaskEmbeddingCache
from service.pipeline.runtime import Runtime, RuntimeOptions
from tests.service.inference.fakes import FakeEngine

SHAPE = (120, 160, 3)
ROI = (50, 30, 60, 60)
LIFT = "lift-a"
STATIONS = ("st-a", "st-b")
CROP = 200


def reference_image() -> np.ndarray:
    image = np.full(SHAPE, 40, np.uint8)
    cv2.rectangle(image, (52, 34), (78, 86), (230, 230, 230), -1)
    return image


def empty_image() -> np.ndarray:
    return np.full(SHAPE, 40, np.uint8)


def half_mask(side: str, size: int = CROP) -> np.ndarray:
    """0/255 mask white on its ``left`` or ``right`` half."""
    mask = np.zeros((size, size), np.uint8)
    if side == "left":
        mask[:, : size // 2] = 255
    else:
        mask[:, size // 2 :] = 255
    return mask


LEFT, RIGHT = half_mask("left"), half_mask("right")


class DeadCamera:
    """A camera that never opens: no frame comes from capture."""

    def open(self) -> bool:
        return False

    def read(self) -> tuple[bool, np.ndarray | None]:
        return False, None

    def release(self) -> None:
        pass


def station_config(folder: Path, station_id: str, lift: str = LIFT) -> StationConfig:
    reference = folder / "reference.png"
    if not reference.is_file():
        cv2.imwrite(str(reference), reference_image())
    return StationConfig.model_validate(
        {
            "id": station_id,
            "lift": lift,
            "source": "rtsp://127.0.0.1:9/none",
            "fps": 10,
            "registration": {"reference": str(reference), "roi": list(ROI), "crop": CROP},
            "capture": {
                "backoff_initial_s": 0.05,
                "backoff_max_s": 0.1,
                "offline_alarm_after_s": 600,
            },
        }
    )


def fake_classifier() -> CropClassifier:
    engine = FakeEngine()
    return CropClassifier(engine, MaskEmbeddingCache(engine))


def tiny_runtime(folder: Path, store: AlarmStore, stations: tuple[str, ...] = STATIONS) -> Runtime:
    """A runtime (not started) of ``stations`` on lift ``LIFT``, with no masks yet."""
    folder.mkdir(parents=True, exist_ok=True)
    configs = [station_config(folder, sid) for sid in stations]
    raiser = AlarmRaiser(store, SnapshotStore(folder / "snapshots"), AlarmBus())
    return Runtime(
        configs,
        fake_classifier(),
        raiser,
        options=RuntimeOptions(max_wait_ms=1.0),
        source_factory=lambda config: DeadCamera(),
    )


class Feeder:
    """Puts frames on a station's queue with increasing indices (one source session)."""

    def __init__(self, runtime: Runtime, station_id: str) -> None:
        self.queue = runtime.runners[station_id].frames
        self.station_id = station_id
        self.index = 0

    def feed(self, image: np.ndarray) -> int:
        k = self.index
        self.queue.put(Frame(self.station_id, k, time.time(), image, k, 0))
        self.index += 1
        return k


def wait_for(condition: Callable[[], bool], seconds: float = 3.0) -> bool:
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def jpeg(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()
