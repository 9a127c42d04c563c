"""``/api/jobs``: roles, validation, the lifecycle (fake commands), cancel, and one real short
training, export and evaluation (slow)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.alarms import AlarmStore
from service.api.app import create_app
from service.api.services import ApiServices
from service.jobs import JobRunner
from service.jobs.commands import CommandBuilder, liftwatch_commands
from service.jobs.repository import JobRepository
from tests.service.api.conftest import auth, settings_for
from tests.service.jobs.fakes import quick, sleeping

PRESET = "synthetic:small:lifts=2,train_scale=0.02,test_scale=0.02"
TRAIN = {"model": "siamese-fast", "data": PRESET, "epochs": 1}


def jobs_client(
    services: ApiServices, store: AlarmStore, tmp_path: Path, commands: CommandBuilder
) -> TestClient:
    runner = JobRunner(
        JobRepository(store.engine), tmp_path, commands=commands, poll_s=0.02, grace_s=1.0
    )
    return TestClient(create_app(settings_for(tmp_path), replace(services, jobs=runner)))


@pytest.fixture
def fake_client(services: ApiServices, store: AlarmStore, tmp_path: Path) -> Iterator[TestClient]:
    with jobs_client(services, store, tmp_path, quick) as client:
        yield client


def wait_status(client: TestClient, job_id: str, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(f"/api/jobs/{job_id}", headers=auth("viewer"))
        assert response.status_code == 200, response.text
        job = dict(response.json())
        if job["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_admins_start_and_cancel_jobs(fake_client: TestClient, role: str) -> None:
    assert fake_client.post("/api/jobs/train", json=TRAIN, headers=auth(role)).status_code == 403
    body = {"model": "siamese-fast", "data": PRESET, "weights": "siamese-fast@0"}
    assert fake_client.post("/api/jobs/evaluate", json=body, headers=auth(role)).status_code == 403
    cancel = fake_client.post(f"/api/jobs/{'a' * 32}/cancel", headers=auth(role))
    assert cancel.status_code == 403
    assert fake_client.post("/api/jobs/train", json=TRAIN).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model": "no-such-model"}, "model"),
        ({"data": "../../etc"}, "data"),
        ({"data": "/etc"}, "data"),
        ({"data": "synthetic:huge"}, "data"),
        ({"epochs": 0}, "epochs"),
        ({"ema": 1.0}, "ema"),
        ({"extra": 1}, "extra"),
    ],
)
def test_invalid_train_requests_are_422(
    fake_client: TestClient, change: dict[str, Any], field: str
) -> None:
    response = fake_client.post("/api/jobs/train", json={**TRAIN, **change}, headers=auth("admin"))
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["message"]


def test_evaluate_needs_known_weights(fake_client: TestClient) -> None:
    body = {"model": "siamese-fast", "data": PRESET, "weights": "b" * 32}
    response = fake_client.post("/api/jobs/evaluate", json=body, headers=auth("admin"))
    assert response.status_code == 422 and "weights" in response.json()["error"]["message"]
    body["weights"] = "siamese-paper@123"
    response = fake_client.post("/api/jobs/evaluate", json=body, headers=auth("admin"))
    assert response.status_code == 422


def test_a_job_runs_to_success_with_progress_and_log(fake_client: TestClient) -> None:
    response = fake_client.post("/api/jobs/train", json=TRAIN, headers=auth("admin"))
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] in ("queued", "running") and job["model"] == "siamese-fast"
    done = wait_status(fake_client, job["id"], 10)
    assert done["status"] == "succeeded", done
    assert done["progress"]["epoch"] == 2 and done["progress"]["steps"] == 2
    assert done["started"] is not None and done["ended"] >= done["started"]
    listed = fake_client.get("/api/jobs", headers=auth("viewer")).json()["items"]
    assert [j["id"] for j in listed] == [job["id"]]
    log = fake_client.get(f"/api/jobs/{job['id']}/log", headers=auth("viewer"))
    assert log.status_code == 200 and "exported" in log.text
    missing = fake_client.get(f"/api/jobs/{'c' * 32}", headers=auth("viewer"))
    assert missing.status_code == 404
    assert fake_client.get("/api/jobs/..%2Fx", headers=auth("viewer")).status_code in (404, 422)


def test_cancel_a_running_job(services: ApiServices, store: AlarmStore, tmp_path: Path) -> None:
    with jobs_client(services, store, tmp_path, sleeping) as client:
        job = client.post("/api/jobs/train", json=TRAIN, headers=auth("admin")).json()
        deadline = time.monotonic() + 5
        while wait_status(client, job["id"], 0)["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        begun = time.monotonic()
        response = client.post(f"/api/jobs/{job['id']}/cancel", headers=auth("admin"))
        assert response.status_code == 200
        assert wait_status(client, job["id"], 5)["status"] == "cancelled"
        assert time.monotonic() - begun < 3
        again = client.post(f"/api/jobs/{job['id']}/cancel", headers=auth("admin"))
        assert again.status_code == 409


@pytest.mark.slow
def test_a_real_training_exports_a_version_that_evaluates(
    services: ApiServices, store: AlarmStore, tmp_path: Path
) -> None:
    """liftwatch train (1 epoch, 32×32, two tiny lifts), export, then evaluate its weights."""
    with jobs_client(services, store, tmp_path, liftwatch_commands) as client:
        body = {**TRAIN, "input_size": 32, "batch_size": 16, "threads": 1}
        job = client.post("/api/jobs/train", json=body, headers=auth("admin")).json()
        done = wait_status(client, job["id"], 120)
        log = client.get(f"/api/jobs/{job['id']}/log", headers=auth("viewer")).text
        assert done["status"] == "succeeded", log
        assert done["progress"]["epoch"] == 1 and 0 <= done["progress"]["val_accuracy"] <= 1
        version = done["result"]["version"]
        models = client.get("/api/models", headers=auth("viewer")).json()["items"]
        assert [m["source"] for m in models] == ["default", "job"]
        assert models[1]["version"] == version and models[1]["job_id"] == job["id"]

        body = {"model": "siamese-fast", "data": PRESET, "weights": job["id"]}
        evaluation = client.post("/api/jobs/evaluate", json=body, headers=auth("admin")).json()
        done = wait_status(client, evaluation["id"], 120)
        assert done["status"] == "succeeded", done
        assert 0 <= done["result"]["accuracy"]["overall"] <= 100
        assert "|" in done["result"]["markdown"]
        models = client.get("/api/models", headers=auth("viewer")).json()["items"]
        assert models[1]["metrics"]["overall"] == done["result"]["accuracy"]["overall"]
