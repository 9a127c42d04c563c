"""The dashboard end to end in real headless Chromium, over a real uvicorn server on loopback,
a tiny running pipeline (fake engine) and an alarm store on SQLite: the key prompt, station
tiles with live images, an alarm raised by the pipeline's raiser arriving live and being
acknowledged, a camera alarm, and a lift page uploading, drawing and checking masks.
Screenshots are kept in ``test-artifacts/``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI

from service.alarms import AlarmEvent, AlarmStore, PassageVerdict
from service.api.app import create_app
from service.api.server import ApiServer
from service.api.services import ApiServices
from service.capture.messages import CameraEvent
from tests.service.api import browser as b
from tests.service.api.conftest import KEYS, AddAlarm, settings_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from service.lifts import LiftService
    from service.pipeline.runtime import Runtime

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(b.skip_reason() is not None, reason=str(b.skip_reason())),
]
MS = b.TIMEOUT_MS


@dataclass
class Served:
    url: str
    runtime: Runtime
    lifts: LiftService


def serve(app: FastAPI) -> ApiServer:
    server = ApiServer(app, "127.0.0.1", 0)
    server.start()
    return server


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with b.chromium() as browser:
        yield browser


@pytest.fixture
def served(store: AlarmStore, tmp_path: Path) -> Iterator[Served]:
    """The API with the test keys over a running tiny pipeline, both stations with frames."""
    from tests.service.api.pipeline import (
        Feeder,
        empty_image,
        reference_image,
        tiny_runtime,
        wait_for,
    )

    runtime = tiny_runtime(tmp_path / "stations", store)
    app = create_app(settings_for(tmp_path), ApiServices.from_runtime(runtime))
    runtime.start()
    server = serve(app)
    try:
        for sid in runtime.runners:
            feeder = Feeder(runtime, sid)
            feeder.feed(empty_image())  # the background, then a carrier
            feeder.feed(reference_image())
        assert wait_for(lambda: all(runtime.latest(s).crop for s in runtime.runners))
        lifts = app.state.services.lifts
        yield Served(server.url, runtime, lifts)
    finally:
        server.stop()
        runtime.stop(timeout=2.0)


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport=b.VIEWPORT)
    yield context.new_page()
    context.close()


@pytest.fixture
def errors(page: Page) -> Iterator[b.PageErrors]:
    """The page's errors, none allowed at the end but for 401s (and what a test allows)."""
    errors = b.PageErrors(page)
    yield errors
    assert errors.errors == []


def bar_verdict() -> PassageVerdict:
    return PassageVerdict("open", True, 4, 6, None, 0.31, False)


def test_monitor_shows_live_stations_and_alarms_and_acknowledges(
    page: Page, errors: b.PageErrors, served: Served, store: AlarmStore
) -> None:
    from playwright.sync_api import expect

    page.goto(served.url + "/")
    b.enter_key(page, KEYS["operator"])
    expect(page.locator("#feed-state")).to_have_text("feed: live", timeout=MS)
    for sid in ("st-a", "st-b"):
        b.image_loaded(page, f'[data-station="{sid}"] img.live')
        expect(page.locator(f'[data-station="{sid}"] .badge')).to_be_visible()
    expect(page.locator('[data-station="st-a"] .stats')).to_contain_text("Registration")
    page.locator('[data-station="st-a"]').get_by_role("button", name="Raw frame").click()
    b.image_loaded(page, '[data-station="st-a"] img.live[alt^="Raw frame"]')

    latest = served.runtime.latest("st-a")
    assert latest.crop is not None and latest.frame is not None
    from tests.service.api.pipeline import LEFT, RIGHT

    served.runtime.classifier.masks.set_masks("lift-a", LEFT, RIGHT)  # for the heatmap
    raised = time.monotonic()
    record = served.runtime.raiser.bar_open(
        "st-a", "lift-a", bar_verdict(), 7, 123, latest.crop.image, latest.frame.image, time.time()
    )
    row = page.locator(f'li[data-alarm-id="{record.id}"]')
    expect(row).to_be_visible(timeout=5000)
    print(f"alarm shown {time.monotonic() - raised:.2f} s after it was raised")
    expect(row).to_contain_text("Bar open at departure")
    expect(row).to_contain_text("st-a · lift lift-a")
    expect(page.locator("#alarm-banner")).to_be_visible()
    expect(page.locator("#alarm-banner")).to_contain_text("passage 7")
    expect(page.locator("body")).to_have_class("alarm-flash")
    b.image_loaded(page, f'li[data-alarm-id="{record.id}"] img.thumb')
    expect(page.locator("#unacked")).to_have_text("1 unacknowledged")
    row.get_by_role("button", name="Show the full camera frame of this alarm").click()
    b.image_loaded(page, "#snapshot-dialog img.snapshot-full")
    page.locator("#snapshot-dialog").get_by_role("button", name="Close").click()
    expect(page.locator("#snapshot-dialog")).to_be_hidden()
    assert record.heatmap_snapshot is not None  # the alarm's Dist-CAM overlay
    b.image_loaded(page, f'li[data-alarm-id="{record.id}"] img.heatmap-thumb')
    row.get_by_role("button", name="Show the heatmap of this alarm").click()
    expect(page.locator("#snapshot-dialog .snapshot-caption")).to_contain_text("Heatmap")
    b.image_loaded(page, "#snapshot-dialog img.snapshot-full")
    page.locator("#snapshot-dialog").get_by_role("button", name="Close").click()
    expect(page.locator("#snapshot-dialog")).to_be_hidden()

    camera = served.runtime.raiser.camera_event(
        CameraEvent("st-b", "camera_offline", "raised", time.time(), 42.0, "no frame")
    )
    assert camera is not None
    camera_row = page.locator(f'li[data-alarm-id="{camera.id}"]')
    expect(camera_row).to_have_class("alarm type-camera", timeout=5000)
    expect(camera_row).to_contain_text("Camera offline")
    expect(page.locator("#alarm-list > li").first).to_have_attribute("data-alarm-id", camera.id)
    b.screenshot(page, "dashboard.png")

    row.get_by_label("Acknowledgement note (optional)").fill("bar closed by the attendant")
    row.get_by_role("button", name="Acknowledge").click()
    expect(row.locator(".acked-by")).to_contain_text("Acknowledged by op-1", timeout=MS)
    expect(row).to_contain_text("“bar closed by the attendant”")
    expect(page.locator("#alarm-banner")).to_be_hidden()
    stored = store.get(record.id)
    assert stored is not None and stored.acknowledged_by == "op-1"
    assert stored.ack_note == "bar closed by the attendant"

    served.runtime.raiser.camera_event(
        CameraEvent("st-b", "camera_offline", "cleared", time.time(), 50.0)
    )
    expect(camera_row).to_contain_text("Camera back at", timeout=5000)


def test_a_viewer_sees_alarms_but_cannot_acknowledge(
    page: Page, errors: b.PageErrors, served: Served, store: AlarmStore
) -> None:
    from playwright.sync_api import expect

    errors.allowed.add(403)
    page.goto(served.url + "/")
    b.enter_key(page, KEYS["viewer"])
    expect(page.locator("#feed-state")).to_have_text("feed: live", timeout=MS)
    record = served.runtime.raiser.bar_open(
        "st-b", "lift-a", bar_verdict(), 3, 40, None, None, time.time()
    )
    row = page.locator(f'li[data-alarm-id="{record.id}"]')
    expect(row.locator(".thumb-none")).to_have_text("no snapshot", timeout=5000)
    row.get_by_role("button", name="Acknowledge").click()
    expect(row.locator(".row-error")).to_contain_text("needs the operator role", timeout=MS)
    stored = store.get(record.id)
    assert stored is not None and not stored.acknowledged


def drag(page: Page, selector: str, points: list[tuple[float, float]]) -> None:
    """Draw through ``points`` (fractions of the element's box) with the mouse."""
    box = page.locator(selector).bounding_box()
    assert box is not None
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for x, y in xy[1:]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()


def test_lift_page_uploads_draws_and_checks_masks(
    page: Page, errors: b.PageErrors, served: Served, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from tests.service.api.pipeline import LEFT, LIFT, png

    mask_file = tmp_path / "open.png"
    mask_file.write_bytes(png(LEFT))
    page.goto(f"{served.url}/#/lifts/{LIFT}")
    page.get_by_label("Your liftwatch API key").fill("lw_not-a-key-of-this-server-000000000")
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator(".key-reason")).to_have_text("unknown API key", timeout=MS)  # asked again
    b.enter_key(page, KEYS["operator"])
    expect(page.get_by_role("heading", name=LIFT)).to_be_visible(timeout=MS)
    b.image_loaded(page, "img.reference")

    page.set_input_files("#mask-file-open", str(mask_file))
    page.get_by_role("button", name="Upload open mask").click()
    expect(page.locator(".notice")).to_contain_text("saved: open mask version 1", timeout=MS)
    expect(page.locator('[data-mask="open"] .mask-meta')).to_contain_text("version 1", timeout=MS)
    b.image_loaded(page, '[data-mask="open"] img.mask-image')

    page.get_by_role("button", name="Draw the closed mask").click()
    canvas = '[data-editor="closed"] canvas'
    page.wait_for_selector(canvas)
    for x in (0.62, 0.75, 0.88):
        drag(page, canvas, [(x, 0.05), (x, 0.95)])
    page.get_by_role("button", name="Save as the closed mask").click()
    expect(page.locator(".notice")).to_contain_text(
        "saved: closed mask version 1, live at every station now", timeout=MS
    )
    closed = served.lifts.repository.read_mask(LIFT, "closed")
    assert closed is not None
    half = closed.shape[1] // 2
    assert closed[:, half:].mean() > 100 > closed[:, :half].mean()
    expect(page.locator(".live-version")).to_contain_text("Live mask pair: version", timeout=MS)

    page.get_by_role("button", name="Classify st-a's current registered frame").click()
    expect(page.locator(".classify-result")).to_contain_text("bar open", timeout=MS)
    b.screenshot(page, "dashboard_lift.png")


def test_without_keys_this_machine_needs_none(
    chromium: Browser, services: ApiServices, tmp_path: Path, add_alarm: AddAlarm
) -> None:
    from playwright.sync_api import expect

    app = create_app(settings_for(tmp_path, keys=False), services)
    server = serve(app)
    context = chromium.new_context(viewport=b.VIEWPORT)
    try:
        page = context.new_page()
        errors = b.PageErrors(page)
        page.goto(server.url + "/")
        expect(page.locator("#feed-state")).to_have_text("feed: live", timeout=MS)
        expect(page.locator("#station-empty")).to_contain_text("No station runs")
        record = add_alarm(snapshots=True)
        services.bus.publish(AlarmEvent("new", record))
        expect(page.locator(f'li[data-alarm-id="{record.id}"]')).to_be_visible(timeout=5000)
        expect(page.locator("#key-dialog")).to_be_hidden()
        assert errors.errors == []
    finally:
        context.close()
        server.stop()
