"""The raiser: snapshots, then the committed record, then the live feed; never an alarm lost."""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import pytest

from service.alarms import (
    AlarmBus,
    AlarmEvent,
    AlarmRaiser,
    AlarmRecord,
    AlarmStore,
    AlarmStoreError,
    PassageVerdict,
    SnapshotStore,
)
from service.alarms.schema import alarms
from service.capture.messages import CameraEvent

T0 = 1_700_000_000.0


class CheckingBus(AlarmBus):
    """A bus that, at each publish, reads the record back from the store: it must be there."""

    def __init__(self, store: AlarmStore) -> None:
        super().__init__()
        self.store = store
        self.published: list[AlarmEvent] = []

    def publish(self, event: AlarmEvent) -> int:
        assert self.store.get(event.record.id) == event.record, "published before it was stored"
        self.published.append(event)
        return super().publish(event)


@pytest.fixture
def bus(sqlite_store: AlarmStore) -> CheckingBus:
    return CheckingBus(sqlite_store)


@pytest.fixture
def raiser(sqlite_store: AlarmStore, bus: CheckingBus, tmp_path: Path) -> AlarmRaiser:
    return AlarmRaiser(
        sqlite_store, SnapshotStore(tmp_path / "snapshots"), bus, station_lifts={"st-1": "lift-1"}
    )


def verdict(alarm: bool = True, mean_margin: float = 0.3) -> PassageVerdict:
    return PassageVerdict(
        state="open" if alarm else "closed",
        alarm=alarm,
        open_frames=4 if alarm else 0,
        judged_frames=5,
        departure_decision=None,
        mean_margin=mean_margin,
        undecided=False,
    )


def picture(height: int = 32, width: int = 32) -> np.ndarray:
    return np.full((height, width, 3), 128, np.uint8)


def bar_open(raiser: AlarmRaiser, **overrides: object) -> AlarmRecord:
    """``raiser.bar_open`` of passage 12 at st-1, with both pictures, any argument overridden."""
    args: dict[str, object] = {
        "station_id": "st-1",
        "lift": "lift-1",
        "verdict": verdict(),
        "passage": 12,
        "departure_frame": 340,
        "crop": picture(200, 200),
        "frame": picture(48, 64),
        "at": T0,
    }
    args.update(overrides)
    return raiser.bar_open(**args)  # type: ignore[arg-type]


def camera(
    state: Literal["raised", "cleared"], at: float = T0, station_id: str = "st-1"
) -> CameraEvent:
    return CameraEvent(station_id, "camera_offline", state, at, 12.5, "timeout")


def test_bar_open_stores_then_publishes(raiser: AlarmRaiser, bus: CheckingBus) -> None:
    subscription = bus.subscribe()
    record = raiser.bar_open(
        "st-1", "lift-1", verdict(), 12, 340, picture(200, 200), picture(48, 64), T0
    )
    assert (record.type, record.station_id, record.lift) == (
        "bar_open_at_departure",
        "st-1",
        "lift-1",
    )
    assert (record.passage, record.frame, record.raised_at) == (12, 340, T0)
    assert record.details["open_frames"] == 4 and record.details["mean_margin"] == 0.3
    received = subscription.get(timeout=1)
    assert received.kind == "new" and received.record == record
    assert raiser.store.get(record.id) == record  # the subscriber can read it back
    assert record.crop_snapshot and record.frame_snapshot
    crop = cv2.imread(str(raiser.snapshots.path(record.crop_snapshot)))
    assert crop is not None and crop.shape == (200, 200, 3)


def test_a_subscriber_thread_can_read_what_it_hears_of(raiser: AlarmRaiser, bus: AlarmBus) -> None:
    subscription = bus.subscribe()
    found: list[bool] = []
    listener = threading.Thread(
        target=lambda: found.append(
            raiser.store.get(subscription.get(timeout=5).record.id) is not None
        )
    )
    listener.start()
    bar_open(raiser)
    listener.join(timeout=5)
    assert found == [True]


def test_a_failed_snapshot_never_loses_the_alarm(
    sqlite_store: AlarmStore, bus: CheckingBus, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the snapshot root should be")
    raiser = AlarmRaiser(sqlite_store, SnapshotStore(blocked), bus)
    with caplog.at_level(logging.ERROR):
        record = bar_open(raiser)
    assert sqlite_store.get(record.id) == record
    assert record.crop_snapshot is None and record.frame_snapshot is None
    assert [event.record for event in bus.published] == [record]
    assert "crop snapshot not saved" in caplog.text
    assert "frame snapshot not saved" in caplog.text


def test_one_bad_snapshot_keeps_the_other(raiser: AlarmRaiser, bus: CheckingBus) -> None:
    record = bar_open(raiser, crop=np.zeros((8, 8), np.float64))
    assert record.crop_snapshot is None and record.frame_snapshot is not None


def test_no_snapshot_images_no_paths(raiser: AlarmRaiser, bus: CheckingBus) -> None:
    record = bar_open(raiser, crop=None, frame=None, verdict=verdict(mean_margin=float("nan")))
    assert record.crop_snapshot is None and record.frame_snapshot is None
    assert record.details["mean_margin"] is None  # NaN is no JSON


def test_a_verdict_without_alarm_is_refused(raiser: AlarmRaiser, bus: CheckingBus) -> None:
    with pytest.raises(ValueError, match="not an alarm"):
        bar_open(raiser, verdict=verdict(alarm=False))
    assert bus.published == []


def test_a_database_failure_publishes_nothing(
    raiser: AlarmRaiser, bus: CheckingBus, caplog: pytest.LogCaptureFixture
) -> None:
    alarms.drop(raiser.store.engine)
    with pytest.raises(AlarmStoreError, match="storing an alarm failed"):
        bar_open(raiser)
    assert bus.published == []
    assert "NOT STORED" in caplog.text


def test_camera_offline_raised_once_then_cleared(raiser: AlarmRaiser, bus: CheckingBus) -> None:
    raised = raiser.camera_event(camera("raised", at=T0))
    assert raised is not None
    assert (raised.type, raised.station_id, raised.lift) == ("camera_offline", "st-1", "lift-1")
    assert dict(raised.details) == {"offline_for_s": 12.5, "reason": "timeout"}
    assert raiser.camera_event(camera("raised", at=T0 + 5)) == raised  # no duplicate
    assert raiser.store.list(type="camera_offline")[0] == [raised]

    cleared = raiser.camera_event(camera("cleared", at=T0 + 30))
    assert cleared is not None and cleared.id == raised.id and cleared.cleared_at == T0 + 30
    assert raiser.camera_event(camera("cleared", at=T0 + 40)) is None  # nothing open
    assert [(e.kind, e.record.id) for e in bus.published] == [
        ("new", raised.id),
        ("end", raised.id),
    ]
    assert bus.published[1].record.cleared_at == T0 + 30

    again = raiser.camera_event(camera("raised", at=T0 + 60))  # a new outage, a new alarm
    assert again is not None and again.id != raised.id


def test_an_open_camera_alarm_survives_a_restart(raiser: AlarmRaiser) -> None:
    raised = raiser.camera_event(camera("raised"))
    restarted = AlarmRaiser(raiser.store, raiser.snapshots, AlarmBus())
    assert restarted.camera_event(camera("raised", at=T0 + 9)) == raised
    other = restarted.camera_event(camera("raised", station_id="st-7"))
    assert other is not None and other.lift is None  # a station without a known lift


def test_concurrent_raises_store_one_alarm(raiser: AlarmRaiser) -> None:
    barrier = threading.Barrier(4)

    def raise_it() -> None:
        barrier.wait()
        raiser.camera_event(camera("raised"))

    threads = [threading.Thread(target=raise_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records, _ = raiser.store.list(type="camera_offline")
    assert len(records) == 1


def test_a_subscriber_queue_never_blocks_the_raiser(raiser: AlarmRaiser, bus: AlarmBus) -> None:
    subscription = bus.subscribe(maxsize=1)
    for passage in range(3):
        bar_open(raiser, passage=passage, crop=None, frame=None)
    assert subscription.dropped == 2
    assert subscription.get_nowait().record.passage == 2
    with pytest.raises(queue.Empty):
        subscription.get_nowait()
