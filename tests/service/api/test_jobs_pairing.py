"""``POST /api/jobs/pairing``: GetNet's cluttered-MNIST task as a job. Roles, validation, the
command lines, the result read from ``result.json`` (fake commands), and one real short run."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.alarms import AlarmStore
from service.api.services import ApiServices
from service.jobs import JobRecord
from service.jobs.commands import liftwatch_commands
from service.jobs.runner import JOBS_DIR
from tests.service.api.conftest import auth
from tests.service.api.test_jobs import jobs_client, wait_status
from tests.service.jobs.fakes import epochs_script, quick

BODY = {"model": "getnet", "sister": "cnn", "epochs": 3, "stn_localiser": "heatmap"}
RESULT = {
    "model": "getnet",
    "test_accuracy": 0.9625,
    "test_pairs": 2000,
    "val_accuracy": 0.966,
    "best_epoch": 3,
    "threshold": 0.41,
    "test_window": {"mean_px": 5.2},
    "seconds": 12.0,
    "history": [{"epoch": 1}],
}


def fake_pairing(job: JobRecord, out: Path) -> list[list[str]]:
    """A fake pairing run: its epoch log, then its result.json, as ``liftwatch pairing train``."""
    code = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"
    write = [sys.executable, "-c", code, str(out / "result.json"), json.dumps(RESULT)]
    return [epochs_script(out, 3), write]


def pairing_record(params: dict[str, Any]) -> JobRecord:
    return JobRecord("a" * 32, "pairing", params["model"], "queued", params, [], 0.0)


@pytest.fixture
def client(services: ApiServices, store: AlarmStore, tmp_path: Path) -> Iterator[TestClient]:
    with jobs_client(services, store, tmp_path, quick) as c:
        yield c


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_admins_start_pairing_jobs(client: TestClient, role: str) -> None:
    assert client.post("/api/jobs/pairing", json=BODY, headers=auth(role)).status_code == 403
    assert client.post("/api/jobs/pairing", json=BODY).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model": "resnet"}, "model"),
        ({"sister": "vgg"}, "sister"),
        ({"epochs": 0}, "epochs"),
        ({"noise": 2}, "noise"),
        ({"stn_localiser": "grid"}, "stn_localiser"),
        ({"stn_init_scale": 1.0, "stn_s_max": 0.9}, "stn_init_scale"),
        ({"stn_epochs": 0, "joint_epochs": 0}, "stn_epochs + joint_epochs must be > 0"),
        ({"data": "data/world"}, "data"),
        ({"freeze_stn": True}, "freeze_stn needs stn_from"),
        ({"elastic": 34}, "elastic needs distort"),
        ({"crop": 61}, "crop"),
        ({"model": "siamese", "crop": 32}, "crop needs model getnet"),
        ({"keep": "median"}, "keep"),
    ],
)
def test_invalid_pairing_requests_are_422_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    response = client.post("/api/jobs/pairing", json={**BODY, **change}, headers=auth("admin"))
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["message"]


def test_a_getnet_pairing_job_trains_then_draws_its_crops(client: TestClient) -> None:
    body = {**BODY, "distort": True, "stn_init_scale": 0.6, "stn_s_max": 0.9, "threads": 1}
    body["noise_warmup"], body["elastic"], body["keep"] = 10, 34.0, "last"
    response = client.post("/api/jobs/pairing", json=body, headers=auth("admin"))
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["kind"] == "pairing" and job["model"] == "getnet"
    train, crops = liftwatch_commands(pairing_record(job["params"]), Path("/out"))
    assert train[train.index("pairing") + 1] == "train"
    assert train[train.index("--sister") + 1] == "cnn"
    assert train[train.index("--stn-localiser") + 1] == "heatmap"
    assert train[train.index("--stn-s-max") + 1] == "0.9"
    assert train[train.index("--noise-warmup") + 1] == "10"
    assert train[train.index("--elastic") + 1] == "34.0"
    assert train[train.index("--keep") + 1] == "last"
    assert train[train.index("--threads") + 1] == "1" and "--distort" in train
    assert crops[crops.index("pairing") + 1] == "crops"
    assert crops[crops.index("--weights") + 1] == "/out/model.pt"


def test_a_siamese_pairing_job_has_one_step() -> None:
    params = {"model": "siamese", "epochs": 2, "distort": False}
    (train,) = liftwatch_commands(pairing_record(params), Path("/out"))
    assert "--distort" not in train and train[train.index("--model") + 1] == "siamese"
    assert "--freeze-stn" not in train and "--crop" not in train


def test_a_pairing_job_reports_its_epochs_and_test_accuracy(
    services: ApiServices, store: AlarmStore, tmp_path: Path
) -> None:
    with jobs_client(services, store, tmp_path, fake_pairing) as client:
        job = client.post("/api/jobs/pairing", json=BODY, headers=auth("admin")).json()
        done = wait_status(client, job["id"], 10)
        assert done["status"] == "succeeded", done
        assert done["progress"]["epoch"] == 3 and done["progress"]["best_epoch"] == 3
        result = done["result"]
        assert result["test_accuracy"] == 0.9625 and result["test_pairs"] == 2000
        assert result["test_window"] == {"mean_px": 5.2}
        assert "history" not in result and "crops" not in result


@pytest.mark.slow
def test_a_real_getnet_pairing_job(
    services: ApiServices, store: AlarmStore, tmp_path: Path
) -> None:
    """liftwatch pairing train (1 epoch, the LeNet sister, the shipped MNIST digits), then the
    picture of its STN crops."""
    with jobs_client(services, store, tmp_path, liftwatch_commands) as client:
        body = {"model": "getnet", "epochs": 1, "warmup": 1, "batch_size": 128, "threads": 1}
        job = client.post("/api/jobs/pairing", json=body, headers=auth("admin")).json()
        done = wait_status(client, job["id"], 180)
        log = client.get(f"/api/jobs/{job['id']}/log", headers=auth("viewer")).text
        assert done["status"] == "succeeded", log
        assert done["progress"]["epoch"] == 1 and done["progress"]["steps"] == 2
        result = done["result"]
        assert result["test_pairs"] == 2000 and 0.5 < result["test_accuracy"] <= 1
        assert Path(result["crops"]).read_bytes()[:4] == b"\x89PNG"


def test_a_getnet_job_starts_its_stn_from_an_earlier_one(
    services: ApiServices, store: AlarmStore, tmp_path: Path
) -> None:
    admin = auth("admin")
    with jobs_client(services, store, tmp_path, fake_pairing) as client:

        def submit(**change: Any) -> Any:
            return client.post("/api/jobs/pairing", json={**BODY, **change}, headers=admin)

        def refused(response: Any, message: str) -> None:
            assert response.status_code == 422, response.text
            text = response.json()["error"]["message"]
            assert "stn_from_job" in text and message in text, text

        refused(submit(stn_from_job="b" * 32), "there is no job")
        refused(submit(stn_from_job="../x"), "")  # only a job id, never a path
        source = submit().json()
        refused(submit(stn_from_job=source["id"]), "not a succeeded getnet pairing job")
        assert wait_status(client, source["id"], 10)["status"] == "succeeded"
        refused(submit(stn_from_job=source["id"]), "left no weights")
        weights = tmp_path / JOBS_DIR / source["id"] / "out" / "model.pt"
        weights.write_bytes(b"weights")
        refused(submit(stn_from_job=source["id"], model="siamese"), "needs model getnet")
        refused(submit(stn_from_job=source["id"], stn_localiser="regress"), "stn_localiser")
        response = submit(stn_from_job=source["id"], sister="lenet", freeze_stn=True, crop=32)
        assert response.status_code == 202, response.text
        job = response.json()
        assert job["params"]["stn_from"] == str(weights)
    train, _ = liftwatch_commands(pairing_record(job["params"]), Path("/out"))
    assert train[train.index("--stn-from") + 1] == str(weights)
    assert "--freeze-stn" in train and train[train.index("--crop") + 1] == "32"
