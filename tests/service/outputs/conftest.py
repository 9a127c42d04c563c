"""Fixtures of the output tests: an alarm store on SQLite, alarms in it, station configs with
an ``outputs:`` block, and a bus."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from service.alarms import AlarmBus, AlarmRecord, AlarmStore
from service.config import StationConfig
from tests.service.api.conftest import new_alarm

FAST = {"timeout_s": 2.0, "backoff_initial_s": 0.01, "backoff_max_s": 0.05}
"""Retry settings that keep the tests fast."""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AlarmStore]:
    with AlarmStore.sqlite(tmp_path / "data") as alarm_store:
        yield alarm_store


@pytest.fixture
def bus() -> AlarmBus:
    return AlarmBus()


AddAlarm = Callable[..., AlarmRecord]


@pytest.fixture
def add_alarm(store: AlarmStore) -> AddAlarm:
    def add(**fields: Any) -> AlarmRecord:
        return store.add(new_alarm(**fields), crop_snapshot="st-1/x_crop.jpg")

    return add


MakeStation = Callable[..., StationConfig]


@pytest.fixture
def make_station(tmp_path: Path) -> MakeStation:
    """``make_station(outputs, station_id="st-1")``: a valid station config with ``outputs``."""
    reference = tmp_path / "ref.png"
    cv2.imwrite(str(reference), np.zeros((100, 160, 3), np.uint8))

    def make(outputs: dict[str, Any], station_id: str = "st-1") -> StationConfig:
        return StationConfig.model_validate(
            {
                "id": station_id,
                "lift": "lift-1",
                "source": "video.mp4",
                "fps": 10,
                "registration": {"reference": str(reference), "roi": [40, 10, 80, 80]},
                "outputs": outputs,
            }
        )

    return make
