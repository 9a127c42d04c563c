"""``/api/models``: versions, and activation as a hot swap of a running pipeline."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.jobs.catalog import active_model_path
from tests.service.api.conftest import Live, auth
from tests.service.api.pipeline import (
    LEFT,
    RIGHT,
    Feeder,
    empty_image,
    png,
    reference_image,
    wait_for,
)


def default_version(client: TestClient) -> str:
    response = client.get("/api/models", headers=auth("viewer"))
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items[0]["source"] == "default" and items[0]["name"] == "siamese-fast"
    return str(items[0]["version"])


def test_versions_list_the_shipped_default(client: TestClient) -> None:
    version = default_version(client)
    assert version.startswith("siamese-fast@")
    assert client.get("/api/models").status_code == 401


def test_activation_needs_admin_and_a_pipeline(client: TestClient) -> None:
    version = default_version(client)
    url = f"/api/models/{version}/activate"
    assert client.post(url, headers=auth("operator")).status_code == 403
    response = client.post(url, headers=auth("admin"))
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


def test_activation_hot_swaps_the_running_engine(live: Live) -> None:
    client = live.client
    files = {"open": ("open.png", png(LEFT)), "closed": ("closed.png", png(RIGHT))}
    assert client.put("/api/lifts/lift-a/masks", files=files, headers=auth("operator")).is_success
    unknown = client.post("/api/models/siamese-fast@0123/activate", headers=auth("admin"))
    assert unknown.status_code == 404
    version = default_version(client)
    assert live.runtime.classifier.engine.model_id != version  # the fake engine serves
    response = client.post(f"/api/models/{version}/activate", headers=auth("admin"))
    assert response.status_code == 200, response.text
    assert response.json()["active"] is True
    assert live.runtime.classifier.engine.model_id == version
    analyser = live.runtime.runners["st-a"].analyser
    feeder = Feeder(live.runtime, "st-a")
    feeder.feed(empty_image())  # the background: no carrier
    frame = feeder.feed(reference_image())

    def decided_by_new_model() -> bool:
        last = analyser.state().last_decision
        return last is not None and last.frame >= frame and last.model == version

    assert wait_for(decided_by_new_model, 10)
    listed = client.get("/api/models", headers=auth("viewer")).json()
    assert listed["active"] == version and listed["items"][0]["active"] is True
    assert active_model_path(live.data_dir) is not None  # liftwatch serve loads it next time
