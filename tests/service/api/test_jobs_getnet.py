"""A ``getnet`` train request over REST: accepted, and run as liftwatch train/export getnet."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
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


def test_model_args_reach_the_command_line(
    services: ApiServices, store: AlarmStore, tmp_path: Path
) -> None:
    runner = JobRunner(JobRepository(store.engine), tmp_path, commands=quick, poll_s=0.02)
    app = create_app(settings_for(tmp_path), replace(services, jobs=runner))
    args = {"localiser": "heatmap", "stn_s_max": 0.95, "warmup": 3}
    with TestClient(app) as client:
        body = {**BODY, "model_args": args}
        response = client.post("/api/jobs/train", json=body, headers=auth("admin"))
        assert response.status_code == 202, response.text
        record = runner.repository.get(response.json()["id"])
        assert record is not None and record.params["model_args"] == args
        train, _ = liftwatch_commands(record, tmp_path / "out")
        given = [train[i + 1] for i, a in enumerate(train) if a == "--model-arg"]
        assert given == ["localiser=heatmap", "stn_s_max=0.95", "warmup=3"]


@pytest.mark.parametrize(
    ("model_args", "message"),
    [
        ({"depth": 3}, "model_args.depth: getnet takes no such argument"),
        ({"warmup": 1.5}, "model_args.warmup: a whole number expected"),
        ({"stn_s_max": "0.9"}, "model_args.stn_s_max: a number expected"),
        ({"../x": 1}, "is not an argument name"),
        ({"localiser": ""}, "1 to 64 characters"),
        ({"localiser": ["heatmap"]}, "model_args"),
    ],
)
def test_bad_model_args_are_422(
    services: ApiServices, store: AlarmStore, tmp_path: Path, model_args: Any, message: str
) -> None:
    runner = JobRunner(JobRepository(store.engine), tmp_path, commands=quick, poll_s=0.02)
    app = create_app(settings_for(tmp_path), replace(services, jobs=runner))
    with TestClient(app) as client:
        body = {**BODY, "model_args": model_args}
        response = client.post("/api/jobs/train", json=body, headers=auth("admin"))
        assert response.status_code == 422, response.text
        assert message in response.json()["error"]["message"]
        assert runner.repository.list(None, 10) == []
