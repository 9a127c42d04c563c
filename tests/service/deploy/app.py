"""The app as deployed, for the deployment tests: served by uvicorn on a free loopback port with
API keys configured, over a tiny running pipeline, with an alarm and a failing alarm output
recorded, so that every family of series is on ``/metrics``."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.alarms import AlarmStore, DeliveryRecord, NewAlarm
from service.api.app import create_app
from service.api.server import ApiServer
from service.api.services import ApiServices
from tests.service.api.conftest import settings_for
from tests.service.api.pipeline import Feeder, reference_image, tiny_runtime, wait_for

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
METRIC = re.compile(r"\bliftwatch_[a-z0-9_]+\b")


@contextmanager
def served_app(folder: Path) -> Iterator[ApiServer]:
    """The app on ``http://127.0.0.1:<free port>`` (``server.url``) until the block ends."""
    with AlarmStore.sqlite(folder / "data") as store:
        runtime = tiny_runtime(folder / "stations", store)
        alarm = store.add(
            NewAlarm("camera_offline", "st-a", "lift-a", 1_767_348_000.0, details={"reason": "x"})
        )
        store.save_delivery(
            DeliveryRecord(alarm.id, "webhook", "new", "st-a", "failed", 3, "HTTP 500", 1.0, 2.0)
        )
        settings = settings_for(folder / "data")  # keys configured: /metrics stays public
        server = ApiServer(create_app(settings, ApiServices.from_runtime(runtime)), "127.0.0.1", 0)
        runtime.start()
        Feeder(runtime, "st-a").feed(reference_image())  # a registration score to report
        wait_for(lambda: runtime.runners["st-a"].analyser.state().frames == 1)
        server.start()
        try:
            yield server
        finally:
            server.stop()
            runtime.stop(timeout=2.0)


def exposed_names(url: str) -> set[str]:
    """The names of the series ``GET {url}/metrics`` exposes (no key sent)."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line[:1].isalnum()}


def referenced_names(text: str) -> set[str]:
    """The ``liftwatch_*`` names a rule file or a dashboard queries."""
    return set(METRIC.findall(text))
