"""``GET /api/alarms/{id}/similar``: ranking by Hamming distance, cache, errors and roles."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import onnx
import pytest
import torch
from fastapi import FastAPI
from fastapi.testclient import TestClient
from onnx import TensorProto, helper
from sqlalchemy import func, select

from models.zoo import create_model
from models.zoo.export import export_onnx, sidecar_path
from service.alarms import AlarmRecord
from service.api.services import ApiServices
from service.api.state import app_services
from service.similar import HASHING_MODEL_PATH, CropHasher, SimilarAlarms, alarm_hash_codes, hamming
from tests.service.api.conftest import T0, Live, auth, new_alarm

VIEW = auth("viewer")


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An (untrained) hashing-dlbhc export at 32×32: real graph, real outputs, fast."""
    torch.manual_seed(0)
    model = create_model("hashing-dlbhc", input_size=32).eval()
    return export_onnx(model, tmp_path_factory.mktemp("hashing") / "hashing.onnx")


class Counting(CropHasher):
    """A hasher that counts the crops it hashes."""

    calls = 0

    def codes(self, crops: list[np.ndarray]) -> list[int]:
        type(self).calls += len(crops)
        return super().codes(crops)


@pytest.fixture
def finder(app: FastAPI, services: ApiServices, model_path: Path) -> SimilarAlarms:
    Counting.calls = 0
    found = SimilarAlarms(services.store, services.snapshots, lambda: Counting(model_path))
    app.state.similar = found
    return found


def crop(seed: int) -> np.ndarray:
    """A distinct 200×200 crop per seed (smooth blobs survive JPEG)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    return cv2.resize(small, (200, 200), interpolation=cv2.INTER_CUBIC)


def add(services: ApiServices, image: np.ndarray | None, at: float) -> AlarmRecord:
    alarm = new_alarm(raised_at=at)
    if image is None:
        return services.store.add(alarm)
    alarm_id = os.urandom(16).hex()
    crop_path, _ = services.snapshots.save(alarm_id, alarm.station_id, image, None)
    return services.store.add(alarm, crop_path, None, alarm_id)


def stored_code(model_path: Path, services: ApiServices, record: AlarmRecord) -> int:
    """The code of the crop as stored (JPEG), computed apart from the route."""
    assert record.crop_snapshot is not None
    image = cv2.imread(str(services.snapshots.path(record.crop_snapshot)))
    return CropHasher(model_path).codes([image])[0]


def test_ranking_by_hamming_distance(
    client: TestClient, services: ApiServices, finder: SimilarAlarms, model_path: Path
) -> None:
    query = add(services, crop(0), T0)
    twin = add(services, crop(0), T0 - 60)  # the same picture: distance 0
    others = [add(services, crop(s), T0 - 120 - s) for s in range(1, 7)]
    add(services, None, T0 - 5)  # no crop: never a candidate
    response = client.get(f"/api/alarms/{query.id}/similar?limit=5", headers=VIEW)
    assert response.status_code == 200, response.text
    body = response.json()
    code = stored_code(model_path, services, query)
    assert body["alarm_id"] == query.id and body["bits"] == 48 and body["candidates"] == 7
    assert int(body["code"], 16) == code and body["model"].startswith("hashing-dlbhc:")
    items = body["items"]
    assert len(items) == 5 and items[0]["alarm"]["id"] == twin.id and items[0]["distance"] == 0
    expected = {r.id: hamming(code, stored_code(model_path, services, r)) for r in [twin, *others]}
    assert all(item["distance"] == expected[item["alarm"]["id"]] for item in items)
    distances = [item["distance"] for item in items]
    assert distances == sorted(distances)
    assert distances == sorted(expected.values())[:5]
    assert query.id not in {item["alarm"]["id"] for item in items}
    assert body["stations"] == []  # no pipeline behind this app


def test_codes_are_computed_once_and_cached_in_the_database(
    client: TestClient, services: ApiServices, finder: SimilarAlarms
) -> None:
    records = [add(services, crop(s), T0 - s) for s in range(4)]
    first = client.get(f"/api/alarms/{records[0].id}/similar", headers=VIEW).json()
    assert Counting.calls == 4
    with services.store.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(alarm_hash_codes)).scalar_one()
    assert rows == 4
    again = client.get(f"/api/alarms/{records[0].id}/similar", headers=VIEW).json()
    assert Counting.calls == 4 and again["items"] == first["items"]
    client.get(f"/api/alarms/{records[2].id}/similar", headers=VIEW)
    assert Counting.calls == 4  # every code was already there


def test_unknown_bad_and_cropless_alarms(
    client: TestClient, services: ApiServices, finder: SimilarAlarms
) -> None:
    missing = client.get(f"/api/alarms/{'f' * 32}/similar", headers=VIEW)
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": f"no alarm {'f' * 32}"}}
    bad = client.get("/api/alarms/xyz/similar", headers=VIEW)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "alarm_id"
    for path in ("/api/alarms/..%2F..%2Fetc/similar", "/api/alarms/%2e%2e/similar"):
        response = client.get(path, headers=VIEW)
        assert response.status_code in (404, 422) and set(response.json()) == {"error"}
    cropless = add(services, None, T0)
    response = client.get(f"/api/alarms/{cropless.id}/similar", headers=VIEW)
    assert response.status_code == 404 and "no readable crop" in response.json()["error"]["message"]
    record = add(services, crop(1), T0)
    for limit in ("0", "101", "x"):
        response = client.get(f"/api/alarms/{record.id}/similar?limit={limit}", headers=VIEW)
        assert response.status_code == 422


def test_no_model_is_a_503_saying_so(
    app: FastAPI, client: TestClient, services: ApiServices, tmp_path: Path
) -> None:
    absent = tmp_path / "nowhere" / "hashing.onnx"
    app.state.similar = SimilarAlarms(
        services.store, services.snapshots, lambda: CropHasher(absent)
    )
    record = add(services, crop(0), T0)
    response = client.get(f"/api/alarms/{record.id}/similar", headers=VIEW)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "unavailable" and str(absent) in error["message"]
    assert "scripts/train_hashing.sh" in error["message"]


def test_a_non_hashing_model_is_a_503(
    app: FastAPI, client: TestClient, services: ApiServices, tmp_path: Path, model_path: Path
) -> None:
    """A model with its preprocess config but no ``hash`` output (a one-node graph)."""
    other = tmp_path / "other.onnx"
    node = helper.make_node("Identity", ["image"], ["logits"])
    value = helper.make_tensor_value_info
    graph = helper.make_graph(
        [node],
        "g",
        [value("image", TensorProto.FLOAT, [None, 3, 32, 32])],
        [value("logits", TensorProto.FLOAT, [None, 3, 32, 32])],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.save(proto, str(other))
    shutil.copy(sidecar_path(model_path), sidecar_path(other))
    app.state.similar = SimilarAlarms(services.store, services.snapshots, lambda: CropHasher(other))
    record = add(services, crop(0), T0)
    response = client.get(f"/api/alarms/{record.id}/similar", headers=VIEW)
    assert response.status_code == 503 and "not a hashing model" in response.text


def test_roles(
    client: TestClient, keyless_app: FastAPI, services: ApiServices, finder: SimilarAlarms
) -> None:
    record = add(services, crop(0), T0)
    path = f"/api/alarms/{record.id}/similar"
    for role in ("viewer", "operator", "admin"):
        assert client.get(path, headers=auth(role)).status_code == 200, role
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer lw_nope"}).status_code == 401
    keyless_app.state.similar = finder
    with TestClient(keyless_app, client=("10.0.0.5", 1234)) as remote:
        forbidden = remote.get(path, headers=auth("viewer"))
        assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"


@pytest.mark.slow
def test_live_stations_newest_crops_are_ranked_too(live: Live, model_path: Path) -> None:
    from tests.service.api.pipeline import Feeder, empty_image, reference_image, wait_for

    client, runtime = live.client, live.runtime
    services = app_services(client.app)
    client.app.state.similar = SimilarAlarms(  # type: ignore[attr-defined]
        services.store, services.snapshots, lambda: CropHasher(model_path)
    )
    feeder = Feeder(runtime, "st-a")
    feeder.feed(empty_image())
    frame = feeder.feed(reference_image())
    assert wait_for(lambda: runtime.latest("st-a").crop is not None)
    latest = runtime.latest("st-a").crop
    assert latest is not None
    record = add(services, crop(3), T0)
    body = client.get(f"/api/alarms/{record.id}/similar", headers=VIEW).json()
    hasher = CropHasher(model_path)
    expected = hamming(int(body["code"], 16), hasher.codes([latest.image])[0])
    assert body["stations"] == [
        {
            "station_id": "st-a",
            "distance": expected,
            "frame": frame,
            "image": "/api/stations/st-a/registered.jpg",
        }
    ]


def test_the_shipped_hashing_model_loads() -> None:
    """models/default/hashing.onnx (scripts/train_hashing.sh) is a 48-bit hashing export."""
    hasher = CropHasher(HASHING_MODEL_PATH)
    assert hasher.bits == 48 and hasher.config.model.startswith("hashing-")
    assert hasher.config.num_classes == 40
    codes = hasher.codes([crop(0), crop(0), crop(1)])
    assert codes[0] == codes[1] and all(0 <= c < 1 << 48 for c in codes)
