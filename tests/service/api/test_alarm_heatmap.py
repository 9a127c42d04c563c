"""A bar alarm of the running pipeline carries its Dist-CAM heatmap: stored, linked, served."""

from __future__ import annotations

import time

import cv2
import numpy as np

from service.alarms import PassageVerdict
from tests.service.api.conftest import Live, auth
from tests.service.api.pipeline import (
    LEFT,
    LIFT,
    RIGHT,
    Feeder,
    empty_image,
    png,
    reference_image,
    wait_for,
)


def test_a_pipeline_alarm_links_and_serves_its_heatmap(live: Live) -> None:
    client, runtime = live.client, live.runtime
    files = {"open": ("open.png", png(LEFT)), "closed": ("closed.png", png(RIGHT))}
    response = client.put(f"/api/lifts/{LIFT}/masks", files=files, headers=auth("operator"))
    assert response.status_code == 200, response.text
    feeder = Feeder(runtime, "st-a")
    feeder.feed(empty_image())
    feeder.feed(reference_image())  # registers: a crop bright on the left, like LEFT (open)
    assert wait_for(lambda: runtime.latest("st-a").crop is not None)
    latest = runtime.latest("st-a")
    assert latest.crop is not None and latest.frame is not None
    verdict = PassageVerdict("open", True, 4, 6, None, 0.31, False)
    record = runtime.raiser.bar_open(
        "st-a", LIFT, verdict, 7, 1, latest.crop.image, latest.frame.image, time.time()
    )

    body = client.get(f"/api/alarms/{record.id}", headers=auth("viewer")).json()
    url = f"/api/alarms/{record.id}/snapshots/heatmap"
    assert body["snapshots"]["heatmap"] == url
    listed = client.get("/api/alarms", headers=auth("viewer")).json()["items"][0]
    assert listed["id"] == record.id and listed["snapshots"]["heatmap"] == url
    served = client.get(url, headers=auth("viewer"))
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    heatmap = cv2.imdecode(np.frombuffer(served.content, np.uint8), cv2.IMREAD_COLOR)
    crop = latest.crop.image
    assert heatmap is not None and heatmap.shape == crop.shape
    # the fake engine's feature map puts the open mask's evidence on the crop's left half: the
    # overlay is hot there (JET: dark red, no blue) and cold on the right (dark blue)
    half = crop.shape[1] // 2
    blue = heatmap[..., 0].astype(float) - crop[..., 0].astype(float)
    assert blue[:, :half].mean() < blue[:, half:].mean() - 50


def test_without_masks_the_alarm_goes_out_without_a_heatmap(live: Live) -> None:
    runtime = live.runtime
    crop = np.full((200, 200, 3), 90, np.uint8)
    verdict = PassageVerdict("open", True, 4, 6, None, 0.31, False)
    record = runtime.raiser.bar_open("st-a", LIFT, verdict, 7, 1, crop, None, time.time())
    body = live.client.get(f"/api/alarms/{record.id}", headers=auth("viewer")).json()
    assert body["snapshots"]["crop"] and body["snapshots"]["heatmap"] is None
    response = live.client.get(f"/api/alarms/{record.id}/snapshots/heatmap", headers=auth("viewer"))
    assert response.status_code == 404
