"""``liftwatch serve``: a station with a broken config is reported and skipped, the others run."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from service.alarms import AlarmStore
from service.cli import app
from tests.service.registration.station import Station


def test_a_broken_config_does_not_stop_the_others(
    synthetic_station: Station, tmp_path: Path
) -> None:
    stations = tmp_path / "stations"
    stations.mkdir()
    folder = synthetic_station.directory
    good = yaml.safe_load((folder / "station.yaml").read_text())
    good["source"] = str(folder / "station.mp4")
    good["registration"]["reference"] = str(folder / "reference.png")
    good["fps"] = 120  # the whole video within the test's few seconds
    # played 12 times faster than filmed: the lift's departure interval, in seconds as frames
    # are read, would be 12 times too long
    good["registration"]["min_departure_interval_s"] = 0.0
    good["capture"] = {"loop": False, "queue_size": 10_000}
    (stations / "a-good.yaml").write_text(yaml.safe_dump(good))
    (stations / "b-broken.yaml").write_text("id: broken\nlift: [not, a, slug]\nfps: -3\n")
    shutil.copytree(folder / "masks", stations / "masks" / good["lift"])
    data = tmp_path / "data"
    args = ["serve", "--stations", str(stations), "--data-dir", str(data), "--port", "0"]
    done = CliRunner().invoke(app, [*args, "--duration", "8", "--report-every", "4"])
    assert done.exit_code == 0, done.output
    assert "skipped:" in done.output and "b-broken.yaml" in done.output
    assert "serving 1 station(s)" in done.output
    with AlarmStore.sqlite(data) as store:
        alarms, _ = store.list(station_id=good["id"], type="bar_open_at_departure")
    assert len(alarms) == 3  # the video's three open-bar departures
