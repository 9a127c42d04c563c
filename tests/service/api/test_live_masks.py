"""Masks and a running pipeline: an upload changes what the running stations decide, with no
restart; classify judges with the live masks; overlays are drawn on a station's reference."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from models.synthetic.scene import World, render_masks
from service.api.app import create_app
from service.api.services import ApiServices
from service.inference import CropClassifier
from service.lifts import LiftRepository, LiftService
from service.lifts.service import default_classifier
from tests.service.api.conftest import Live, auth, settings_for
from tests.service.api.pipeline import (
    LEFT,
    LIFT,
    RIGHT,
    Feeder,
    empty_image,
    fake_classifier,
    half_mask,
    png,
    reference_image,
    wait_for,
)

MASKS = f"/api/lifts/{LIFT}/masks"


def upload_pair(client: TestClient, open_mask: np.ndarray, closed_mask: np.ndarray) -> dict:
    files = {"open": ("open.png", png(open_mask)), "closed": ("closed.png", png(closed_mask))}
    response = client.put(MASKS, files=files, headers=auth("operator"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def decided(live: Live, station: str, frame: int) -> str | None:
    """The state the running station decided for ``frame`` (waits for it)."""
    analyser = live.runtime.runners[station].analyser

    def arrived() -> bool:
        last = analyser.state().last_decision
        return last is not None and last.frame >= frame

    assert wait_for(arrived), f"{station}: no decision for frame {frame}"
    last = analyser.state().last_decision
    return None if last is None else last.state


def classify(client: TestClient, image: bytes) -> dict:
    files = {"file": ("crop.png", image, "image/png")}
    response = client.post(f"/api/lifts/{LIFT}/classify", files=files, headers=auth("operator"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_mask_upload_changes_running_decisions_without_restart(live: Live) -> None:
    client, runtime = live.client, live.runtime
    feeders = {sid: Feeder(runtime, sid) for sid in runtime.runners}
    for feeder in feeders.values():
        feeder.feed(empty_image())  # the background: no carrier
    # a lift of running stations exists without being created; it has no masks yet
    lift = client.get(f"/api/lifts/{LIFT}", headers=auth("viewer")).json()
    assert lift["stations"] == ["st-a", "st-b"] and lift["live_version"] is None
    no_masks = client.post(
        f"/api/lifts/{LIFT}/classify",
        files={"file": ("c.png", png(LEFT))},
        headers=auth("operator"),
    )
    assert no_masks.status_code == 409 and "no open and no closed mask" in no_masks.text

    one = client.put(f"{MASKS}/open", files={"file": ("o.png", png(LEFT))}, headers=auth("admin"))
    assert one.json() == {"lift": LIFT, "state": "open", "version": 1, "embedded": False}
    two = client.put(
        f"{MASKS}/closed", files={"file": ("c.png", png(RIGHT))}, headers=auth("operator")
    )
    assert two.json() == {"lift": LIFT, "state": "closed", "version": 1, "embedded": True}

    # the carrier is bright on the left of its crop: nearer the open mask, at both stations
    frames = {sid: f.feed(reference_image()) for sid, f in feeders.items()}
    assert {sid: decided(live, sid, k) for sid, k in frames.items()} == {
        "st-a": "open",
        "st-b": "open",
    }
    crop = client.get("/api/stations/st-a/registered.jpg", headers=auth("viewer"))
    first = classify(client, crop.content)
    assert first["state"] == "open" and first["model"] == "fake@0001"
    assert first["distances"]["open"] < first["distances"]["closed"]
    assert first["margin"] == pytest.approx(
        first["distances"]["closed"] - first["distances"]["open"]
    )

    # the masks swapped, in one upload: the same carrier is now judged closed, same threads
    threads = {sid: r._thread for sid, r in runtime.runners.items()}
    assert upload_pair(client, RIGHT, LEFT) == {
        "lift": LIFT,
        "versions": {"open": 2, "closed": 2},
        "embedded": True,
    }
    frames = {sid: f.feed(reference_image()) for sid, f in feeders.items()}
    assert {sid: decided(live, sid, k) for sid, k in frames.items()} == {
        "st-a": "closed",
        "st-b": "closed",
    }
    second = classify(client, crop.content)
    assert second["state"] == "closed"
    assert second["distances"] == {
        "open": pytest.approx(first["distances"]["closed"]),
        "closed": pytest.approx(first["distances"]["open"]),
    }
    assert {sid: r._thread for sid, r in runtime.runners.items()} == threads
    assert runtime.inference.is_alive()
    assert client.get(f"/api/lifts/{LIFT}", headers=auth("viewer")).json()["live_version"] == 2
    history = sorted(
        p.name.split("-")[0] for p in (live.data_dir / "lifts" / LIFT).rglob("*-*Z.png")
    )
    assert history == ["closed", "open"]


def test_overlay_draws_the_mask_on_the_station_reference(live: Live) -> None:
    client = live.client
    upload_pair(client, LEFT, RIGHT)
    reference = client.get("/api/stations/st-a/reference.jpg", headers=auth("viewer"))
    assert reference.headers["content-type"] == "image/jpeg"
    base = cv2.imdecode(np.frombuffer(reference.content, np.uint8), cv2.IMREAD_COLOR)
    assert base.shape == (200, 200, 3)
    response = client.get(f"{MASKS}/closed?overlay=1&station=st-b", headers=auth("viewer"))
    assert response.headers["content-type"] == "image/png"
    drawn = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_COLOR)
    expected = live.runtime.runners["st-b"].analyser.registrar.reference.registered
    assert np.array_equal(drawn[:, :100], expected[:, :100])  # outside the bar: untouched
    tinted = drawn[:, 100:].astype(int) - expected[:, 100:].astype(int)
    assert (tinted[..., 2] > 0).mean() > 0.9  # orange added where the (right-hand) bar is
    wrong = client.get(f"{MASKS}/closed?overlay=1&station=st-x", headers=auth("viewer"))
    assert wrong.status_code == 404


def test_classify_without_a_pipeline_builds_its_own_classifier(
    services: ApiServices, tmp_path: Path
) -> None:
    built = []

    def factory() -> CropClassifier:
        built.append(1)
        return fake_classifier()

    lifts = LiftService(LiftRepository(tmp_path / "lifts"), None, factory)
    app = create_app(settings_for(tmp_path), replace(services, lifts=lifts))
    with TestClient(app) as client:
        client.post("/api/lifts", json={"id": LIFT}, headers=auth("operator"))
        client.put(f"{MASKS}/open", files={"file": ("o.png", png(LEFT))}, headers=auth("operator"))
        missing = client.post(
            f"/api/lifts/{LIFT}/classify",
            files={"file": ("c.png", png(LEFT))},
            headers=auth("operator"),
        )
        assert missing.status_code == 409 and "no closed mask" in missing.text
        client.put(
            f"{MASKS}/closed", files={"file": ("c.png", png(RIGHT))}, headers=auth("operator")
        )
        crop = png(np.repeat(LEFT[..., None], 3, axis=2))
        assert classify(client, crop)["state"] == "open"
        upload_pair(client, RIGHT, LEFT)  # stored masks changed: re-embedded before judging
        assert classify(client, crop)["state"] == "closed"
        bad = client.post(
            f"/api/lifts/{LIFT}/classify",
            files={"file": ("c.txt", b"text")},
            headers=auth("operator"),
        )
        assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "file"
    assert built == [1]


def test_classify_with_the_shipped_model(services: ApiServices, tmp_path: Path) -> None:
    open_mask, closed_mask = render_masks(World(0).lift(3), 200)
    lifts = LiftService(LiftRepository(tmp_path / "lifts"), None, default_classifier)
    app = create_app(settings_for(tmp_path), replace(services, lifts=lifts))
    with TestClient(app) as client:
        client.post("/api/lifts", json={"id": "lift-03"}, headers=auth("operator"))
        files = {"open": ("o.png", png(open_mask)), "closed": ("c.png", png(closed_mask))}
        client.put("/api/lifts/lift-03/masks", files=files, headers=auth("operator"))
        for state, mask in (("open", open_mask), ("closed", closed_mask)):
            crop = png(np.repeat(mask[..., None], 3, axis=2))
            response = client.post(
                "/api/lifts/lift-03/classify",
                files={"file": ("c.png", crop)},
                headers=auth("operator"),
            )
            assert response.json()["state"] == state
            assert response.json()["model"].startswith("siamese-fast@")


def test_one_mask_upload_re_embeds_the_pair_live(live: Live) -> None:
    left_wide = half_mask("left")
    left_wide[:, :120] = 255
    upload_pair(live.client, LEFT, RIGHT)
    response = live.client.put(
        f"{MASKS}/closed", files={"file": ("c.png", png(left_wide))}, headers=auth("operator")
    )
    assert response.json()["embedded"] is True
    entry = live.runtime.classifier.masks.get(LIFT)
    assert entry.version == 2
