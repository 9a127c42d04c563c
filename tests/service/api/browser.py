"""Driving the dashboard in real headless Chromium (Debian's ``/usr/bin/chromium`` through
Playwright; never a browser that Playwright downloads): why a run must skip, launching it, and
the page steps every browser test shares."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
"""Screenshots the browser tests keep (gitignored)."""
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
TIMEOUT_MS = 8000


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, or ``None``."""
    if not CHROMIUM.is_file():
        return f"no {CHROMIUM}: `apt-get install chromium` (.ci/run does it where apt-get exists)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing: pip install -e '.[dev]'"
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium, closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()


class PageErrors:
    """Uncaught exceptions and console errors of a page, but for failed loads with an
    ``allowed`` status (401: the page's first request without a key is one, by design)."""

    def __init__(self, page: Page, allowed: tuple[int, ...] = (401,)) -> None:
        self.errors: list[str] = []
        self.allowed = set(allowed)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if not any(f"status of {status}" in message.text for status in self.allowed):
            self.errors.append(f"console: {message.text}")


def enter_key(page: Page, key: str) -> None:
    """Answer the dashboard's key prompt with ``key``."""
    dialog = page.locator("#key-dialog")
    dialog.wait_for(state="visible", timeout=TIMEOUT_MS)
    page.get_by_label("Your liftwatch API key").fill(key)
    page.get_by_role("button", name="Use this key").click()
    dialog.wait_for(state="hidden", timeout=TIMEOUT_MS)


def image_loaded(page: Page, selector: str) -> None:
    """Wait until the image ``selector`` shows a decoded picture."""
    page.wait_for_function(
        """(selector) => {
            const img = document.querySelector(selector);
            return img !== null && !img.hidden && img.complete && img.naturalWidth > 0;
        }""",
        arg=selector,
        timeout=TIMEOUT_MS,
    )


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot in ``test-artifacts/``; its path is printed."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays on top
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path
