"""/api/stations: the running stations' status and their newest frame, newest registered crop
and registered reference as JPEG; viewers may read, unknown stations are 404."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

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


def jpeg_image(content: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def test_stations_before_any_frame(live: Live) -> None:
    client = live.client
    items = client.get("/api/stations", headers=auth("viewer")).json()["items"]
    assert [(s["id"], s["lift"]) for s in items] == [("st-a", "lift-a"), ("st-b", "lift-a")]
    station = items[0]
    assert station["frames_analysed"] == 0 and station["last_decision"] is None
    assert station["registration_score"] is None and station["connected"] is False
    assert station["dropped"] == {"queue_full": 0, "corrupt": 0, "pace": 0}
    assert station["passages"] == {"open": 0, "closed": 0, "undecided": 0}
    assert station["links"]["registered"] == "/api/stations/st-a/registered.jpg"
    for image in ("frame", "registered"):
        response = client.get(f"/api/stations/st-a/{image}.jpg", headers=auth("viewer"))
        assert response.status_code == 404 and "yet" in response.json()["error"]["message"]
    reference = client.get("/api/stations/st-a/reference.jpg", headers=auth("viewer"))
    assert jpeg_image(reference.content).shape == (200, 200, 3)


def test_station_status_and_images_follow_the_frames(live: Live) -> None:
    client, runtime = live.client, live.runtime
    files = {"open": ("o.png", png(LEFT)), "closed": ("c.png", png(RIGHT))}
    client.put("/api/lifts/lift-a/masks", files=files, headers=auth("operator"))
    feeder = Feeder(runtime, "st-a")
    feeder.feed(empty_image())
    frame = feeder.feed(reference_image())
    analyser = runtime.runners["st-a"].analyser
    assert wait_for(lambda: analyser.state().last_decision is not None)

    station = client.get("/api/stations/st-a", headers=auth("viewer")).json()
    assert station["frames_analysed"] == 2 and station["frames_registered"] == 1
    assert station["registration_score"] > 0.5
    assert station["last_decision"]["frame"] == frame
    assert station["last_decision"]["state"] == "open"
    assert station["analysed_fps"] > 0
    raw = client.get("/api/stations/st-a/frame.jpg", headers=auth("viewer"))
    assert raw.headers["x-frame-index"] == str(frame)
    assert raw.headers["cache-control"] == "no-store"
    assert jpeg_image(raw.content).shape == reference_image().shape
    crop = client.get("/api/stations/st-a/registered.jpg", headers=auth("viewer"))
    assert jpeg_image(crop.content).shape == (200, 200, 3)
    other = client.get("/api/stations/st-b", headers=auth("viewer")).json()
    assert other["frames_analysed"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/stations",
        "/api/stations/st-a",
        "/api/stations/st-a/frame.jpg",
        "/api/stations/st-a/registered.jpg",
        "/api/stations/st-a/reference.jpg",
    ],
)
def test_stations_need_a_key(live: Live, path: str) -> None:
    assert live.client.get(path).status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/api/stations/st-x", "/api/stations/st-x/frame.jpg", "/api/stations/st-x/reference.jpg"],
)
def test_unknown_station_is_404(live: Live, path: str) -> None:
    response = live.client.get(path, headers=auth("viewer"))
    assert response.status_code == 404
    assert "no station st-x" in response.json()["error"]["message"]


def test_bad_station_id_is_422(live: Live) -> None:
    response = live.client.get("/api/stations/ST..A", headers=auth("viewer"))
    assert response.status_code == 422


def test_no_pipeline_no_stations(client: TestClient) -> None:
    assert client.get("/api/stations", headers=auth("viewer")).json() == {"items": []}
    assert client.get("/api/stations/st-a", headers=auth("admin")).status_code == 404
