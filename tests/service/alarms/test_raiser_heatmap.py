"""A bar alarm's heatmap snapshot: saved beside crop and frame, and never at the alarm's cost."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest

from service.alarms import AlarmBus, AlarmRaiser, AlarmStore, PassageVerdict, SnapshotStore
from service.api.schemas.alarms import Alarm

T0 = 1_700_000_000.0


def verdict() -> PassageVerdict:
    return PassageVerdict("open", True, 4, 5, None, 0.3, False)


def crop() -> np.ndarray:
    image = np.zeros((40, 40, 3), np.uint8)
    image[:, :20] = 200
    return image


class Recorder:
    """A heatmap renderer that remembers its calls and paints the crop red."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    def __call__(self, lift: str, image: np.ndarray) -> np.ndarray:
        self.calls.append((lift, image.shape))
        out = image.copy()
        out[..., 2] = 255
        return out


def raise_one(raiser: AlarmRaiser, with_crop: bool = True) -> tuple[str, AlarmBus]:
    events = raiser.bus.subscribe()
    record = raiser.bar_open(
        "st-1", "lift-1", verdict(), 3, 120, crop() if with_crop else None, crop(), T0
    )
    assert len(events) == 1 and events.get_nowait().record == record
    return record.id, raiser.bus


def test_the_heatmap_is_a_third_snapshot(sqlite_store: AlarmStore, tmp_path: Path) -> None:
    renderer = Recorder()
    raiser = AlarmRaiser(sqlite_store, SnapshotStore(tmp_path / "s"), AlarmBus(), heatmap=renderer)
    alarm_id, _ = raise_one(raiser)
    record = sqlite_store.get(alarm_id)
    assert record is not None and record.heatmap_snapshot == f"st-1/{alarm_id}_heatmap.jpg"
    assert renderer.calls == [("lift-1", (40, 40, 3))]
    saved = cv2.imread(str(raiser.snapshots.path(record.heatmap_snapshot)))
    assert saved is not None and saved[..., 2].min() > 200  # the renderer's picture
    links = Alarm.from_record(record).snapshots
    assert links.heatmap == f"/api/alarms/{alarm_id}/snapshots/heatmap"
    assert links.crop is not None and links.frame is not None


@pytest.mark.parametrize(
    "renderer",
    [
        pytest.param(lambda lift, image: 1 / 0, id="raises"),
        pytest.param(lambda lift, image: "not an image", id="returns-garbage"),
    ],
)
def test_a_heatmap_failure_does_not_lose_the_alarm(
    renderer: object, sqlite_store: AlarmStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raiser = AlarmRaiser(
        sqlite_store,
        SnapshotStore(tmp_path / "s"),
        AlarmBus(),
        heatmap=renderer,  # type: ignore[arg-type]
    )
    with caplog.at_level(logging.ERROR, logger="service.alarms.raiser"):
        alarm_id, _ = raise_one(raiser)
    record = sqlite_store.get(alarm_id)
    assert record is not None and record.heatmap_snapshot is None
    assert record.crop_snapshot and record.frame_snapshot  # the other pictures are kept
    assert Alarm.from_record(record).snapshots.heatmap is None
    assert "heatmap" in caplog.text and alarm_id in caplog.text


def test_no_crop_no_renderer_no_heatmap(sqlite_store: AlarmStore, tmp_path: Path) -> None:
    renderer = Recorder()
    raiser = AlarmRaiser(sqlite_store, SnapshotStore(tmp_path / "s"), AlarmBus(), heatmap=renderer)
    alarm_id, _ = raise_one(raiser, with_crop=False)
    record = sqlite_store.get(alarm_id)
    assert record is not None and record.heatmap_snapshot is None and renderer.calls == []
    plain = AlarmRaiser(sqlite_store, SnapshotStore(tmp_path / "p"), AlarmBus())
    other, _ = raise_one(plain)
    stored = sqlite_store.get(other)
    assert stored is not None and stored.heatmap_snapshot is None
