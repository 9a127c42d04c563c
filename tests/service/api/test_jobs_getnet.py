"""A ``getnet`` train request over REST: accepted, and run as liftwatch train/export getnet."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient

from service.alarms import AlarmStore
from service.api.app import create_app
from service.api.services import ApiServices
from service.jobs import JobRunner
from service.jobs.commands import liftwatch_commands
from service.jobs.repository import JobRepository
from tests.service.api.conftest import auth, settings_for
from tests.service.jobs.fakes import quick

BODY = {"model": "getnet", "data": "synthetic:small:lifts=2", "epochs": 3, "input_size": 64}


def test_a_getnet_train_request_is_accepted(
    services: ApiServices, store: AlarmStore, tmp_path: Path
) -> None:
    runner = JobRunner(JobRepository(store.engine), tmp_path, commands=quick, poll_s=0.02)
    app = create_app(settings_for(tmp_path), replace(services, jobs=runner))
    with TestClient(app) as client:
        response = client.post("/api/jobs/train", json=BODY, headers=auth("admin"))
        assert response.status_code == 202, response.text
        job = response.json()
        assert job["model"] == "getnet" and job["kind"] == "train"
        record = runner.repository.get(job["id"])
        assert record is not None
        train, export = liftwatch_commands(record, tmp_path / "out")
        assert train[train.index("train") + 1] == "getnet"
        assert train[train.index("--input-size") + 1] == "64"
        assert export[export.index("export") + 1] == "getnet"
