"""``POST /api/jobs/train`` with the triplet options: refused clearly where they do not fit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.alarms import AlarmStore
from service.api.services import ApiServices
from tests.service.api.conftest import auth
from tests.service.api.test_jobs import PRESET, jobs_client
from tests.service.jobs.fakes import quick

TRAIN = {"model": "siamese-fast", "data": PRESET, "epochs": 1}


@pytest.fixture
def client(services: ApiServices, store: AlarmStore, tmp_path: Any) -> Iterator[TestClient]:
    with jobs_client(services, store, tmp_path, quick) as c:
        yield c


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"model": "classifier-paper", "loss": "triplet"}, "loss", "needs a siamese model"),
        ({"hard_mining": True}, "hard_mining", "needs loss 'triplet'"),
        ({"loss": "hinge"}, "loss", ""),
    ],
)
def test_bad_loss_requests_are_422_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str, message: str
) -> None:
    response = client.post("/api/jobs/train", json={**TRAIN, **change}, headers=auth("admin"))
    assert response.status_code == 422, response.text
    text = response.json()["error"]["message"]
    assert field in text and message in text


def test_a_triplet_job_is_queued_with_its_flags(client: TestClient) -> None:
    body = {**TRAIN, "loss": "triplet", "hard_mining": True, "warmup_epochs": 2}
    response = client.post("/api/jobs/train", json=body, headers=auth("admin"))
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["params"]["loss"] == "triplet" and job["params"]["hard_mining"] is True
