"""Screenshots of the operator dashboard for the README, taken from the live demo.

Starts ``liftwatch serve --demo`` (synthetic stations filmed on first use, the shipped model,
live alarms) on a free loopback port with its own data directory and no API key, waits for
alarms, then drives Debian's Chromium (``/usr/bin/chromium``) with Playwright:

* ``docs/img/dashboard.png``: the monitor: live alarm feed (one acknowledged, a new one
  announced by the banner), station tiles with their live registered frames;
* ``docs/img/dashboard_lift.png``: a lift page: both masks over the registered reference, a
  crop classified, the in-browser mask editor open.

Run it again after changing the dashboard::

    python scripts/dashboard_screenshots.py [--data-dir data/screenshots] [--out docs/img]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
LIFT = "lift-07"
STATION = "lift-07-station"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def wait_until(what: str, check: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(1.0)
    raise SystemExit(f"gave up waiting for {what} after {seconds:.0f} s")


def start_demo(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """``liftwatch serve --demo`` without keys (loopback only), its log in ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFTWATCH_")}
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "serve.log").open("wb")
    command = [sys.executable, "-m", "service.cli", "serve", "--demo"]
    command += ["--data-dir", str(data_dir), "--port", str(port)]
    print("starting:", " ".join(command))
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def bar_alarms(url: str) -> int:
    page = get_json(f"{url}/api/alarms?type=bar_open_at_departure&limit=10")
    return len(page["items"])


def monitor(page: Page, url: str, out: Path) -> None:
    page.goto(f"{url}/")
    expect(page.locator("#feed-state")).to_have_text("feed: live", timeout=15000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.live')].filter(i => i.naturalWidth).length >= 3",
        timeout=20000,
    )
    rows = page.locator('#alarm-list > li[data-type="bar_open_at_departure"]')
    expect(rows.nth(2)).to_be_visible(timeout=20000)
    oldest = rows.nth(2)
    oldest.get_by_label("Acknowledgement note (optional)").fill("attendant closed the bar")
    oldest.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".acked-by").first).to_be_visible(timeout=10000)
    expect(page.locator("#alarm-banner")).to_be_visible(timeout=90000)  # a new one, live
    page.wait_for_timeout(1200)  # thumbnails in
    page.screenshot(path=str(out / "dashboard.png"))
    print("wrote", out / "dashboard.png")


def lift_page(page: Page, url: str, out: Path) -> None:
    page.goto(f"{url}/#/lifts/{LIFT}")
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.mask-image, img.reference')]"
        ".filter(i => i.naturalWidth).length >= 3",
        timeout=20000,
    )
    page.get_by_role("button", name=f"Classify {STATION}'s current registered frame").click()
    expect(page.locator(".classify-result")).to_contain_text("bar", timeout=20000)
    page.get_by_role("button", name="Draw the open mask").click()
    page.wait_for_selector('[data-editor="open"] canvas')
    page.wait_for_timeout(800)
    if page.locator("#alarm-banner").is_visible():
        page.get_by_role("button", name="Dismiss").click()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(out / "dashboard_lift.png"), full_page=True)
    print("wrote", out / "dashboard_lift.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "screenshots")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_demo(args.data_dir.resolve(), port)
    try:
        wait_until("the demo server", lambda: get_json(f"{url}/healthz")["status"] == "ok", 900)
        wait_until("three bar alarms", lambda: bar_alarms(url) >= 3, 600)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page(viewport=VIEWPORT)
            monitor(page, url, args.out)
            lift_page(page, url, args.out)
            browser.close()
    finally:
        server.terminate()  # SIGTERM: the demo stops its API and threads
        server.wait(30)


if __name__ == "__main__":
    main()
