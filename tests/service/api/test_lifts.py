"""/api/lifts without a pipeline: lifts created and listed, masks uploaded (checked, versioned,
binarised and resized), read back, and every refusal: roles, non-images, empty or full masks,
oversized uploads, unknown and path-like lifts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.services import ApiServices
from tests.service.api.conftest import auth, settings_for
from tests.service.api.pipeline import LEFT, RIGHT, half_mask, jpeg, png

MASKS = "/api/lifts/lift-a/masks"


def put(client: TestClient, state: str, data: bytes, role: str = "operator", **kw: Any) -> Any:
    files = {"file": (f"{state}.png", data, "image/png")}
    return client.put(f"{MASKS}/{state}", files=files, headers=auth(role), **kw)


def error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code
    return str(body["message"])


@pytest.fixture
def lift(client: TestClient) -> str:
    response = client.post("/api/lifts", json={"id": "lift-a"}, headers=auth("operator"))
    assert response.status_code == 201, response.text
    return "lift-a"


def test_create_list_and_get_lifts(client: TestClient) -> None:
    body = {"id": "lift-07", "name": "Grand Col chair"}
    created = client.post("/api/lifts", json=body, headers=auth("operator"))
    assert created.status_code == 201
    lift = created.json()
    assert (lift["id"], lift["name"], lift["stations"], lift["live_version"]) == (
        "lift-07",
        "Grand Col chair",
        [],
        None,
    )
    assert lift["masks"]["open"] == {
        "exists": False,
        "version": 0,
        "updated_at": None,
        "source": None,
        "url": None,
    }
    again = client.post("/api/lifts", json=body, headers=auth("admin"))
    assert "already exists" in error(again, 409, "conflict")
    listed = client.get("/api/lifts", headers=auth("viewer")).json()["items"]
    assert [item["id"] for item in listed] == ["lift-07"]
    one = client.get("/api/lifts/lift-07", headers=auth("viewer"))
    assert one.json() == listed[0]


def test_roles_on_lifts(client: TestClient, lift: str) -> None:
    refused = client.post("/api/lifts", json={"id": "lift-b"}, headers=auth("viewer"))
    assert "operator" in error(refused, 403, "forbidden")
    assert put(client, "open", png(LEFT), role="viewer").status_code == 403
    assert client.put(f"{MASKS}/open", files={"file": ("m.png", png(LEFT))}).status_code == 401
    assert put(client, "open", png(LEFT), role="operator").status_code == 200
    assert put(client, "closed", png(RIGHT), role="admin").status_code == 200
    assert client.get(f"{MASKS}/open").status_code == 401
    assert client.get(f"{MASKS}/open", headers=auth("viewer")).status_code == 200
    files = {"file": ("c.png", png(LEFT))}
    classify = client.post("/api/lifts/lift-a/classify", files=files, headers=auth("viewer"))
    assert classify.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "../etc"}, "id"),
        ({"id": "Lift-A"}, "id"),
        ({"id": "lift-a", "colour": "red"}, "colour"),
        ({"id": "lift-a", "name": ""}, "name"),
    ],
)
def test_create_refuses_bad_bodies(client: TestClient, body: dict[str, str], field: str) -> None:
    response = client.post("/api/lifts", json=body, headers=auth("operator"))
    error(response, 422, "validation_error")
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]


def test_upload_stores_binarised_resized_masks_and_keeps_versions(
    client: TestClient, lift: str, tmp_path: Path
) -> None:
    drawn = np.full((400, 400), 20, np.uint8)
    drawn[:, :150] = 200  # grey strokes, as an anti-aliased drawing gives
    first = put(client, "open", png(drawn))
    assert first.json() == {"lift": "lift-a", "state": "open", "version": 1, "embedded": False}
    stored = cv2.imread(str(tmp_path / "lifts/lift-a/masks/open.png"), cv2.IMREAD_UNCHANGED)
    assert stored.shape == (200, 200) and set(np.unique(stored)) == {0, 255}
    assert stored[:, :75].min() == 255 and stored[:, 75:].max() == 0

    second = put(client, "open", jpeg(np.repeat(LEFT[..., None], 3, axis=2)))  # JPEG works too
    assert second.json()["version"] == 2
    history = sorted((tmp_path / "lifts/lift-a/masks/history").iterdir())
    assert [p.name[:5] for p in history] == ["open-"]
    assert np.array_equal(cv2.imread(str(history[0]), cv2.IMREAD_GRAYSCALE), stored)
    served = client.get(f"{MASKS}/open", headers=auth("viewer"))
    assert served.headers["content-type"] == "image/png"
    current = cv2.imdecode(np.frombuffer(served.content, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(current, LEFT)
    masks = client.get("/api/lifts/lift-a", headers=auth("viewer")).json()["masks"]
    assert masks["open"]["version"] == 2 and masks["open"]["url"] == f"{MASKS}/open"
    assert masks["closed"]["exists"] is False


def small_png(width: int, height: int) -> bytes:
    return png(np.zeros((height, width), np.uint8))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"not an image at all", "not a PNG or JPEG"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "IHDR"),
        (small_png(40, 40)[:60], "does not decode"),
        (png(np.zeros((200, 200), np.uint8)), "empty"),
        (png(np.full((60, 60), 255, np.uint8)), "100.0% white"),
        (png(np.full((60, 60), 100, np.uint8)), "empty"),  # all grey: black once binarised
        (small_png(4097, 4097), "at most 4096×4096"),
        (png(half_mask("left")[:, :120]), "square"),
    ],
)
def test_upload_refuses_what_is_no_mask(
    client: TestClient, lift: str, data: bytes, says: str
) -> None:
    response = put(client, "open", data)
    assert says in error(response, 422, "validation_error")
    assert response.json()["error"]["details"][0]["field"] == "file"


def test_upload_refuses_a_missing_file_field(client: TestClient, lift: str) -> None:
    response = client.put(f"{MASKS}/open", headers=auth("operator"), files={"other": b"x"})
    assert "file" in error(response, 422, "validation_error")


def test_oversized_upload_is_413(services: ApiServices, tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path, max_upload_bytes=4096), services)
    noise = np.random.default_rng(0).integers(0, 256, (200, 200), np.uint8)
    with TestClient(app) as client:
        client.post("/api/lifts", json={"id": "lift-a"}, headers=auth("operator"))
        response = put(client, "open", png(noise))
    assert "4096 bytes" in error(response, 413, "payload_too_large")
    assert not (tmp_path / "lifts/lift-a/masks/open.png").exists()


def test_identical_masks_are_refused_one_by_one_but_swap_as_a_pair(
    client: TestClient, lift: str
) -> None:
    assert put(client, "open", png(LEFT)).status_code == 200
    assert put(client, "closed", png(RIGHT)).status_code == 200
    same = put(client, "open", png(RIGHT))
    assert "upload both at once" in error(same, 422, "validation_error")
    files = {"open": ("o.png", png(RIGHT)), "closed": ("c.png", png(LEFT))}
    swapped = client.put(MASKS, files=files, headers=auth("operator"))
    assert swapped.json() == {
        "lift": "lift-a",
        "versions": {"open": 2, "closed": 2},
        "embedded": False,
    }
    both_left = {"open": ("o.png", png(LEFT)), "closed": ("c.png", png(LEFT))}
    refused = client.put(MASKS, files=both_left, headers=auth("operator"))
    assert "identical" in error(refused, 422, "validation_error")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/lifts/lift-z"),
        ("get", "/api/lifts/lift-z/masks/open"),
        ("put", "/api/lifts/lift-z/masks/open"),
        ("post", "/api/lifts/lift-z/classify"),
    ],
)
def test_unknown_lift_is_404(client: TestClient, method: str, path: str) -> None:
    files = {"file": ("m.png", png(LEFT))} if method != "get" else None
    response = client.request(method, path, files=files, headers=auth("operator"))
    assert "no lift lift-z" in error(response, 404, "not_found")


@pytest.mark.parametrize(
    "lift", ["..", "%2e%2e", "..%2F..%2Fetc", "Lift-A", "a.b", "-x", "a" * 65, "lift%00"]
)
def test_path_like_lift_ids_never_reach_the_disk(
    client: TestClient, tmp_path: Path, lift: str
) -> None:
    files = {"file": ("m.png", png(LEFT))}
    response = client.put(f"/api/lifts/{lift}/masks/open", files=files, headers=auth("operator"))
    assert response.status_code in (404, 422), response.text
    assert client.get(f"/api/lifts/{lift}", headers=auth("viewer")).status_code in (404, 422)
    assert not list(tmp_path.rglob("*.png"))


def test_unknown_mask_state_is_422(client: TestClient, lift: str) -> None:
    response = put(client, "ajar", png(LEFT))
    assert "state" in error(response, 422, "validation_error")


def test_missing_mask_is_404_and_overlay_needs_a_station(client: TestClient, lift: str) -> None:
    assert "no closed mask" in error(
        client.get(f"{MASKS}/closed", headers=auth("viewer")), 404, "not_found"
    )
    put(client, "open", png(LEFT))
    overlay = client.get(f"{MASKS}/open?overlay=1", headers=auth("viewer"))
    assert "no station of lift lift-a runs here" in error(overlay, 409, "conflict")
