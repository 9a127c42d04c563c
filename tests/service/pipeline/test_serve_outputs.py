"""``liftwatch serve`` runs the outputs a station configures: its three open-bar alarms reach a
webhook receiver (signed) and an MQTT subscriber on loopback, and each alarm records them."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from service.alarms import AlarmStore
from service.cli import app
from tests.service.outputs.receivers import (
    LOCAL_BROKER,
    SECRET,
    Collector,
    reachable,
    wait_for,
    webhook_receiver,
)
from tests.service.registration.station import Station

FAST = {"timeout_s": 2.0, "backoff_initial_s": 0.05, "backoff_max_s": 0.2}


def station_folder(station: Station, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A folder of stations holding the synthetic one (its config returned, not yet written)."""
    stations = tmp_path / "stations"
    stations.mkdir()
    folder = station.directory
    config = yaml.safe_load((folder / "station.yaml").read_text())
    config["source"] = str(folder / "station.mp4")
    config["registration"]["reference"] = str(folder / "reference.png")
    config["fps"] = 120  # the whole video within the test's few seconds
    # played 12 times faster than filmed: the lift's departure interval, in seconds as frames
    # are read, would be 12 times too long
    config["registration"]["min_departure_interval_s"] = 0.0
    config["capture"] = {"loop": False, "queue_size": 10_000}
    shutil.copytree(folder / "masks", stations / "masks" / config["lift"])
    return stations, config


def test_serve_refuses_an_output_whose_secret_is_not_set(
    synthetic_station: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stations, config = station_folder(synthetic_station, tmp_path)
    config["outputs"] = {"webhook": {"url": "http://127.0.0.1:9/", "secret_env": "NO_SUCH_VAR"}}
    (stations / "station.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    args = ["serve", "--stations", str(stations), "--data-dir", str(tmp_path / "d"), "--port", "0"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2, done.output
    assert "outputs.webhook.secret_env: the environment variable NO_SUCH_VAR is not" in done.output


@pytest.mark.slow
def test_serve_delivers_alarms_to_the_configured_outputs(
    synthetic_station: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stations, config = station_folder(synthetic_station, tmp_path)
    data = tmp_path / "data"
    monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
    prefix = f"liftwatch-test/{uuid.uuid4().hex[:12]}"
    broker = reachable(*LOCAL_BROKER)
    with webhook_receiver(fail_first=1) as receiver:
        config["outputs"] = {
            "webhook": {"url": receiver.url, "secret_env": "TEST_HOOK_SECRET", **FAST}
        }
        if broker:
            host, port = LOCAL_BROKER
            config["outputs"]["mqtt"] = {"host": host, "port": port, "topic_prefix": prefix}
        (stations / "station.yaml").write_text(yaml.safe_dump(config))
        collector = Collector(*LOCAL_BROKER, f"{prefix}/{config['id']}") if broker else None
        try:
            args = ["serve", "--stations", str(stations), "--data-dir", str(data), "--port", "0"]
            done = CliRunner().invoke(app, [*args, "--duration", "8", "--report-every", "4"])
            assert done.exit_code == 0, done.output
            assert f"alarm output {config['id']}: webhook http://127.0.0.1:" in done.output
            assert wait_for(lambda: len(receiver.accepted) == 3, 5)
            if collector is not None:
                assert wait_for(lambda: len(collector.received()) == 3, 5)
        finally:
            if collector is not None:
                collector.close()
    assert all(r.signed for r in receiver.requests)
    sent = [r.message for r in receiver.accepted]
    assert {m["event"] for m in sent} == {"new"}
    assert {m["alarm"]["type"] for m in sent} == {"bar_open_at_departure"}
    with AlarmStore.sqlite(data) as store:
        alarms, _ = store.list(station_id=config["id"])
        assert {a.id for a in alarms} == {m["alarm"]["id"] for m in sent}
        outputs = {"webhook", "mqtt"} if broker else {"webhook"}
        for alarm in alarms:
            deliveries = store.deliveries(alarm.id)
            assert {d.output for d in deliveries} == outputs
            assert {d.status for d in deliveries} == {"delivered"}
    if collector is not None:
        assert {m["alarm"]["id"] for m in collector.received()} == {a.id for a in alarms}
