"""/healthz (alive) and /readyz (pipeline running, worker alive, model loaded): no auth."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.services import ApiServices
from tests.service.api.conftest import settings_for

if TYPE_CHECKING:
    from service.pipeline.runtime import Runtime


class FakeWorker:
    def __init__(self, alive: bool) -> None:
        self.alive = alive

    def is_alive(self) -> bool:
        return self.alive


class BrokenClassifier:
    masks = frozenset[str]()

    @property
    def engine(self) -> object:
        raise RuntimeError("the model file vanished")


def fake_runtime(alive: bool = True, classifier: object | None = None) -> Runtime:
    """Just what /readyz reads of a Runtime (two stations, one whose lift has masks), and the
    observer hooks every app adds."""

    def station(state: str, lift: str) -> SimpleNamespace:
        capture = SimpleNamespace(
            state=state, connected=state == "connected", fps=9.5, last_frame_time=1.5e9
        )
        return SimpleNamespace(capture=capture, analysis=SimpleNamespace(frames=42), lift=lift)

    stations = {"st-1": station("connected", "lift-1"), "st-2": station("connecting", "lift-2")}
    engine = SimpleNamespace(model_id="siamese-fast@abc123", name="onnx-cpu")
    runtime = SimpleNamespace(
        classifier=classifier or SimpleNamespace(engine=engine, masks={"lift-1"}),
        inference=FakeWorker(alive),
        status=lambda: stations,
        runners={
            sid: SimpleNamespace(analyser=SimpleNamespace(config=SimpleNamespace(lift=s.lift)))
            for sid, s in stations.items()
        },
        add_observers=lambda batch, decision: None,  # what the app's metrics hook on
        remove_observers=lambda batch, decision: None,
    )
    return cast("Runtime", runtime)


def client_for(services: ApiServices, tmp_path: Path, runtime: Runtime | None) -> TestClient:
    app = create_app(settings_for(tmp_path), replace(services, runtime=runtime))
    return TestClient(app, client=("10.0.0.5", 1234))  # probes come from anywhere, without keys


def test_healthz(services: ApiServices, tmp_path: Path) -> None:
    body = client_for(services, tmp_path, None).get("/healthz").json()
    assert body["status"] == "ok" and body["uptime_s"] >= 0 and body["version"]


def test_not_ready_without_a_pipeline(services: ApiServices, tmp_path: Path) -> None:
    response = client_for(services, tmp_path, None).get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False and body["problems"] == ["no pipeline runs in this process"]


def test_ready_with_per_station_state(services: ApiServices, tmp_path: Path) -> None:
    response = client_for(services, tmp_path, fake_runtime()).get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ready"] is True and body["problems"] == []
    assert body["model"] == "siamese-fast@abc123" and body["engine"] == "onnx-cpu"
    assert body["stations"]["st-1"] == {
        "state": "connected",
        "connected": True,
        "fps": 9.5,
        "last_frame_time": 1.5e9,
        "frames": 42,
        "masks_loaded": True,
    }
    assert body["stations"]["st-2"]["masks_loaded"] is False
    assert body["stations"]["st-2"]["state"] == "connecting"


def test_not_ready_when_the_worker_died(services: ApiServices, tmp_path: Path) -> None:
    response = client_for(services, tmp_path, fake_runtime(alive=False)).get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["the inference worker is not running"]


def test_not_ready_without_a_model(services: ApiServices, tmp_path: Path) -> None:
    runtime = fake_runtime(classifier=BrokenClassifier())
    response = client_for(services, tmp_path, runtime).get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["no model is loaded"]
    assert "vanished" not in response.text
