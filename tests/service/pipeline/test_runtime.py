"""The whole runtime in one process: a real video station alarms; a dead camera raises
``camera_offline``; neither stops the other."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from service.alarms import AlarmBus, AlarmRaiser, AlarmStore, SnapshotStore
from service.capture import FrameSource, opencv_source
from service.config import StationConfig, load_station_config
from service.pipeline.models import EngineChoice, build_classifier
from service.pipeline.results import PassageResult
from service.pipeline.runtime import Runtime, RuntimeOptions
from tests.service.registration.station import Station


class DeadCamera:
    """A camera that never opens."""

    def open(self) -> bool:
        return False

    def read(self) -> tuple[bool, np.ndarray | None]:
        return False, None

    def release(self) -> None:
        pass


def _config(station: Station, tmp_path: Path, station_id: str, **changes: Any) -> StationConfig:
    data = yaml.safe_load((station.directory / "station.yaml").read_text())
    data["id"] = station_id
    data["source"] = str(station.directory / "station.mp4")
    data["registration"]["reference"] = str(station.directory / "reference.png")
    # played up to 12 times faster than filmed: the lift's departure interval, in seconds as
    # frames are read, would be up to 12 times too long
    data["registration"]["min_departure_interval_s"] = 0.0
    data.update(changes)
    path = tmp_path / f"{station_id}.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_station_config(path)


def _wait(condition: Any, seconds: float) -> bool:
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_runtime_alarms_and_camera_offline(synthetic_station: Station, tmp_path: Path) -> None:
    # the video as fast as the analysis takes it, nothing dropped, played once
    video = _config(
        synthetic_station,
        tmp_path,
        "video-station",
        fps=120,
        capture={"loop": False, "queue_size": 10_000},
    )
    dead = _config(
        synthetic_station,
        tmp_path,
        "dead-station",
        source="rtsp://127.0.0.1:9/none",
        capture={"offline_alarm_after_s": 0.3, "backoff_initial_s": 0.05, "backoff_max_s": 0.1},
    )

    def sources(config: StationConfig) -> FrameSource:
        return DeadCamera() if config.id == "dead-station" else opencv_source(config)

    masks = {video.lift: synthetic_station.directory / "masks"}
    classifier = build_classifier(EngineChoice(threads=1), masks)
    store = AlarmStore.sqlite(tmp_path / "data")
    bus = AlarmBus()
    events = bus.subscribe()
    raiser = AlarmRaiser(store, SnapshotStore(tmp_path / "snapshots"), bus)
    results: list[PassageResult] = []
    runtime = Runtime(
        [video, dead],
        classifier,
        raiser,
        source_factory=sources,
        options=RuntimeOptions(decision_timeout_s=5.0),
        on_result=lambda config, result: results.append(result),
    )
    runtime.start()
    try:
        finished = _wait(lambda: runtime.status()["video-station"].capture.state == "finished", 60)
        assert finished, runtime.status()["video-station"]
        assert _wait(lambda: len(results) == 4, 10), results
        assert _wait(lambda: store.open_alarm("dead-station", "camera_offline") is not None, 5)
    finally:
        runtime.stop()
    assert not any(r.is_alive() for r in runtime.runners.values())
    assert not runtime.inference.is_alive()
    alarms, _ = store.list(station_id="video-station")
    truth = [p for p in synthetic_station.truth.passages if p.violation]
    assert sorted(a.frame for a in alarms if a.frame is not None) == [
        r.departure_frame for r in results if r.alarm
    ]
    assert len(alarms) == len(truth) == 3
    for alarm in alarms:
        assert alarm.crop_snapshot and alarm.frame_snapshot
        assert (tmp_path / "snapshots" / alarm.crop_snapshot).stat().st_size > 1000
        # the Dist-CAM overlay of the crop, by the shipped ONNX model's exposed feature map
        assert alarm.heatmap_snapshot == alarm.crop_snapshot.replace("_crop", "_heatmap")
        assert (tmp_path / "snapshots" / alarm.heatmap_snapshot).stat().st_size > 1000
    offline = store.open_alarm("dead-station", "camera_offline")
    assert offline is not None and offline.lift == video.lift
    kinds = []
    while len(events):
        kinds.append(events.get_nowait().record.type)
    assert kinds.count("bar_open_at_departure") == 3 and "camera_offline" in kinds
