"""Alarm messages: validated, immutable details; JSON-ready records."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from service.alarms import AlarmRecord
from tests.service.alarms.conftest import make_alarm


@pytest.mark.parametrize(
    "details",
    [{"margin": math.nan}, {"offline_for_s": math.inf}, {"frames": [1, 2]}, {1: "x"}],
)
def test_details_must_be_finite_json_scalars(details: dict[Any, Any]) -> None:
    with pytest.raises(ValueError, match="alarm detail"):
        make_alarm(details=details)


def test_unknown_type_and_non_finite_time_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown alarm type"):
        make_alarm(type="bar_closed")
    with pytest.raises(ValueError, match="raised_at"):
        make_alarm(raised_at=math.nan)


def test_details_are_a_read_only_copy() -> None:
    source = {"open_frames": 2}
    alarm = make_alarm(details=source)
    source["open_frames"] = 9
    assert alarm.details["open_frames"] == 2
    with pytest.raises(TypeError):
        alarm.details["open_frames"] = 3  # type: ignore[index]


def test_record_to_dict_is_json_ready() -> None:
    record = AlarmRecord.from_new("ab" * 16, make_alarm(), crop_snapshot="st-1/x_crop.jpg")
    data = json.loads(json.dumps(record.to_dict(), allow_nan=False))
    assert data["id"] == "ab" * 16
    assert data["details"] == {
        "open_frames": 3,
        "margin": 0.25,
        "model": "m@1",
        "flag": True,
        "x": None,
    }
    assert data["crop_snapshot"] == "st-1/x_crop.jpg" and data["frame_snapshot"] is None
    assert data["acknowledged"] is False and data["cleared_at"] is None
    assert set(data) == {
        "id",
        "type",
        "station_id",
        "lift",
        "raised_at",
        "passage",
        "frame",
        "details",
        "crop_snapshot",
        "frame_snapshot",
        "heatmap_snapshot",
        "acknowledged",
        "acknowledged_by",
        "acknowledged_at",
        "ack_note",
        "cleared_at",
    }
