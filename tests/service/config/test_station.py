"""The station config model: defaults, sources, paths relative to the file, the contract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest

from models.synthetic.scene import World
from models.synthetic.video import generate_station_video
from service.config import (
    AlarmConfig,
    CaptureConfig,
    RegistrationConfig,
    StationConfig,
    StationConfigError,
    load_station_config,
)
from tests.service.config.conftest import WriteConfig, valid


def test_a_minimal_config_gets_the_defaults(
    write: WriteConfig, stations: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("a.yaml", valid())
    monkeypatch.chdir(tmp_path)  # paths are relative to the file, not to the current folder
    config = load_station_config(path.relative_to(tmp_path))
    assert (config.id, config.lift, config.fps, config.enabled) == (
        "lift-03-bottom",
        "lift-03",
        15.0,
        True,
    )
    assert config.source == str(stations / "videos" / "station.mp4")
    assert config.source_kind == "file"
    assert config.registration.reference == stations / "ref.png"
    assert config.registration.roi == (40, 10, 80, 80)
    assert config.registration.search is None
    assert (config.registration.crop, config.registration.min_score) == (200, 0.4)
    assert config.registration.departure_reach == 0.1
    assert config.registration.min_departure_interval_s == 1.0
    assert config.alarm == AlarmConfig(departure_window=3, open_frames_min=2, min_margin=0.0)
    assert config.capture == CaptureConfig()
    assert config.capture.loop is True


@pytest.mark.parametrize(
    ("source", "value", "kind"),
    [
        ("rtsp://user:pw@10.0.0.5:554/stream1", "rtsp://user:pw@10.0.0.5:554/stream1", "rtsp"),
        ("http://cam.local/mjpg/video.mjpg", "http://cam.local/mjpg/video.mjpg", "http"),
        ("HTTPS://cam.local/mjpg", "HTTPS://cam.local/mjpg", "http"),
        (0, 0, "camera"),
        ("2", 2, "camera"),
        ("/srv/videos/a.mp4", "/srv/videos/a.mp4", "file"),
    ],
)
def test_sources(write: WriteConfig, source: Any, value: Any, kind: str) -> None:
    config = load_station_config(write("a.yaml", {**valid(), "source": source}))
    assert (config.source, config.source_kind) == (value, kind)


def test_configs_are_frozen(write: WriteConfig) -> None:
    config = load_station_config(write("a.yaml", valid()))
    with pytest.raises(pydantic.ValidationError):
        setattr(config, "fps", 30)  # noqa: B010
    with pytest.raises(pydantic.ValidationError):
        setattr(config.registration, "crop", 100)  # noqa: B010


@pytest.mark.parametrize(
    "model",
    [StationConfig, RegistrationConfig, AlarmConfig, CaptureConfig],
    ids=lambda m: m.__name__,
)
def test_every_field_is_described_and_unknown_keys_are_refused(
    model: type[pydantic.BaseModel],
) -> None:
    assert model.model_config.get("extra") == "forbid" and model.model_config.get("frozen")
    undocumented = [n for n, f in model.model_fields.items() if not (f.description or "").strip()]
    assert undocumented == []


@pytest.mark.parametrize("interval", [-0.5, 61.0, "often"])
def test_a_bad_departure_interval_is_refused_by_name(write: WriteConfig, interval: Any) -> None:
    registration = {**valid()["registration"], "min_departure_interval_s": interval}
    path = write("a.yaml", {**valid(), "registration": registration})
    with pytest.raises(StationConfigError, match=r"registration\.min_departure_interval_s"):
        load_station_config(path)


def test_the_synthetic_generator_writes_a_valid_config(tmp_path: Path) -> None:
    out = tmp_path / "station-L02"
    generate_station_video(World(0), 2, 1, out, seed=1, fps=5.0)
    config = load_station_config(out / "station.yaml")
    assert (config.id, config.lift, config.fps) == ("lift-02-station", "lift-02", 5.0)
    assert config.source == str(out / "station.mp4") and config.source_kind == "file"
    assert config.registration.reference == out / "reference.png"
    assert config.registration.search is not None and config.registration.crop == 200
    assert config.alarm.departure_window == 3
    # the lift's closest carrier spacing at the video's speed, never more than the truth's gaps
    assert 0.5 < config.registration.min_departure_interval_s < 10.0


@pytest.mark.parametrize("reach", [0.0, -0.1, 1.5, "near"])
def test_a_bad_departure_reach_is_refused_by_name(write: WriteConfig, reach: Any) -> None:
    registration = {**valid()["registration"], "departure_reach": reach}
    path = write("a.yaml", {**valid(), "registration": registration})
    with pytest.raises(StationConfigError, match=r"registration\.departure_reach"):
        load_station_config(path)
