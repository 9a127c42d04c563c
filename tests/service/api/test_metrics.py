"""/metrics: Prometheus text from a registry of the app's own, no auth; after some activity it
has every series with its labels: fps, drops, score, passages, alarms, camera, queues, model,
and histograms fed by the pipeline's hooks."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from service.alarms import NewAlarm
from service.api.app import create_app
from service.api.services import ApiServices
from tests.service.api.conftest import T0, AddAlarm, Live, auth, settings_for
from tests.service.api.pipeline import (
    LEFT,
    RIGHT,
    Feeder,
    empty_image,
    png,
    reference_image,
    wait_for,
)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def value(found: Samples, metric: str, **labels: str) -> float:
    return float(found[(metric, frozenset(labels.items()))])


def test_metrics_after_some_activity(live: Live) -> None:
    client, runtime = live.client, live.runtime
    files = {"open": ("o.png", png(LEFT)), "closed": ("c.png", png(RIGHT))}
    client.put("/api/lifts/lift-a/masks", files=files, headers=auth("operator"))
    feeder = Feeder(runtime, "st-a")
    feeder.feed(empty_image())
    for _ in range(3):
        feeder.feed(reference_image())
    analyser = runtime.runners["st-a"].analyser
    assert wait_for(lambda: analyser.state().registered == 3 and len(runtime.latency._values) == 3)
    runtime.raiser.store.add(
        NewAlarm(
            type="bar_open_at_departure",
            station_id="st-a",
            lift="lift-a",
            raised_at=T0,
            passage=1,
            frame=3,
            details={},
        )
    )
    runtime.raiser.store.add(
        NewAlarm(type="camera_offline", station_id="st-b", lift="lift-a", raised_at=T0, details={})
    )

    response = client.get("/metrics")  # no key needed
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    for station in ("st-a", "st-b"):
        assert ("liftwatch_capture_fps", frozenset({("station", station)})) in found
        assert value(found, "liftwatch_camera_up", station=station) == 0.0
        for reason in ("queue_full", "corrupt", "pace"):
            assert (
                value(found, "liftwatch_frames_dropped_total", station=station, reason=reason) == 0
            )
        for outcome in ("open", "closed", "undecided"):
            assert value(found, "liftwatch_passages_total", station=station, outcome=outcome) == 0
        assert value(found, "liftwatch_frame_queue_depth", station=station) == 0
    assert value(found, "liftwatch_frames_analysed_total", station="st-a") == 4
    assert value(found, "liftwatch_frames_registered_total", station="st-a") == 3
    assert value(found, "liftwatch_analysed_fps", station="st-a") > 0
    assert value(found, "liftwatch_registration_score", station="st-a") > 0.5
    assert ("liftwatch_registration_score", frozenset({("station", "st-b")})) not in found
    assert value(found, "liftwatch_frame_to_decision_seconds_count", station="st-a") == 3
    assert value(found, "liftwatch_frame_to_decision_seconds_count", station="st-b") == 0
    batches = value(found, "liftwatch_inference_batch_size_count")
    assert batches >= 1 and value(found, "liftwatch_inference_batch_size_sum") == 3
    assert value(found, "liftwatch_inference_latency_seconds_count") == batches
    assert value(found, "liftwatch_inference_queue_depth") == 0
    assert value(found, "liftwatch_inference_dropped_total") == 0
    assert value(found, "liftwatch_inference_worker_up") == 1
    assert value(found, "liftwatch_model_info", name="fake", id="fake@0001", engine="fake-cpu") == 1
    assert value(found, "liftwatch_lift_masks_version", lift="lift-a") == 1
    assert value(found, "liftwatch_alarms_total", station="st-a", type="bar_open_at_departure") == 1
    assert value(found, "liftwatch_alarms_total", station="st-b", type="camera_offline") == 1
    assert (
        value(found, "liftwatch_alarms_unacknowledged", station="st-b", type="camera_offline") == 1
    )
    # the app's own registry: nothing of ours in the global one
    assert not any(m.name.startswith("liftwatch") for m in REGISTRY.collect())


def test_each_app_hooks_its_own_observers_and_removes_them(live: Live) -> None:
    runner, worker = live.runtime.runners["st-a"], live.runtime.inference
    assert len(runner._observers) == 1 and len(worker._observers) == 1
    second = create_app(settings_for(live.data_dir), ApiServices.from_runtime(live.runtime))
    with TestClient(second) as client:
        assert client.get("/metrics").status_code == 200
        assert len(runner._observers) == 2 and len(worker._observers) == 2
    assert len(runner._observers) == 1 and len(worker._observers) == 1


def test_metrics_without_a_pipeline(client: TestClient, add_alarm: AddAlarm) -> None:
    add_alarm(station_id="st-9", type="camera_offline")
    text = client.get("/metrics").text
    assert 'liftwatch_alarms_total{station="st-9",type="camera_offline"} 1.0' in text
    assert not re.search(r"^liftwatch_capture_fps", text, re.M)
