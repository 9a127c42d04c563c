"""Fixtures of the API tests: a real alarm store on SQLite, keys of each role, an app, clients,
and a tiny running pipeline behind an app (``live``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.alarms import AlarmBus, AlarmRecord, AlarmStore, NewAlarm, SnapshotStore
from service.api.app import create_app
from service.api.keys import hash_key
from service.api.services import ApiServices
from service.api.settings import Settings

if TYPE_CHECKING:
    from service.pipeline.runtime import Runtime

T0 = 1_767_348_000.0
"""2026-01-02T10:00:00Z."""
KEYS = {
    "viewer": "lw_viewer-key-for-tests-0000000000000000000",
    "operator": "lw_operator-key-for-tests-000000000000000000",
    "admin": "lw_admin-key-for-tests-00000000000000000000",
}
"""A raw key per role; the settings hold their digests under the names view-1, op-1, admin-1."""
NAMES = {"viewer": "view-1", "operator": "op-1", "admin": "admin-1"}


def auth(role: str) -> dict[str, str]:
    """The Authorization header of the test key of ``role``."""
    return {"Authorization": f"Bearer {KEYS[role]}"}


def key_entries() -> list[dict[str, str]]:
    return [
        {"name": NAMES[role], "role": role, "sha256": hash_key(key)} for role, key in KEYS.items()
    ]


@pytest.fixture(autouse=True)
def _no_liftwatch_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read LIFTWATCH_*: the developer's own variables must not change the tests."""
    for name in list(os.environ):
        if name.startswith("LIFTWATCH_"):
            monkeypatch.delenv(name)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AlarmStore]:
    with AlarmStore.sqlite(tmp_path) as alarm_store:
        yield alarm_store


@pytest.fixture
def services(store: AlarmStore, tmp_path: Path) -> ApiServices:
    return ApiServices(
        store, AlarmBus(), SnapshotStore(tmp_path / "snapshots"), clock=lambda: T0 + 3600
    )


def settings_for(tmp_path: Path, keys: bool = True, **values: Any) -> Settings:
    """Settings of a test app: the test keys (or none), a short SSE heartbeat."""
    values.setdefault("sse_heartbeat_s", 0.2)
    return Settings(data_dir=tmp_path, api_keys=key_entries() if keys else [], **values)


@pytest.fixture
def app(services: ApiServices, tmp_path: Path) -> FastAPI:
    """The API with the three test keys configured."""
    return create_app(settings_for(tmp_path), services)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def keyless_app(services: ApiServices, tmp_path: Path) -> FastAPI:
    """The API with no key configured: loopback clients only."""
    return create_app(settings_for(tmp_path, keys=False), services)


def new_alarm(**fields: Any) -> NewAlarm:
    values: dict[str, Any] = {
        "type": "bar_open_at_departure",
        "station_id": "st-1",
        "lift": "lift-1",
        "raised_at": T0,
        "passage": 3,
        "frame": 120,
        "details": {"open_frames": 3, "margin": 0.25},
    }
    values.update(fields)
    return NewAlarm(**values)


AddAlarm = Callable[..., AlarmRecord]


@pytest.fixture
def add_alarm(services: ApiServices) -> AddAlarm:
    """Stores an alarm (fields of ``new_alarm`` overridable); ``snapshots=True`` saves both
    JPEGs first, as the raiser does."""

    def add(snapshots: bool = False, **fields: Any) -> AlarmRecord:
        alarm = new_alarm(**fields)
        if not snapshots:
            return services.store.add(alarm)
        alarm_id = os.urandom(16).hex()
        crop = np.full((200, 200, 3), 90, np.uint8)
        frame = np.full((48, 64, 3), 30, np.uint8)
        crop_path, frame_path = services.snapshots.save(alarm_id, alarm.station_id, crop, frame)
        return services.store.add(alarm, crop_path, frame_path, alarm_id)

    return add


@dataclass
class Live:
    """A running tiny pipeline (:mod:`tests.service.api.pipeline`) and a client of its API."""

    runtime: Runtime
    client: TestClient
    data_dir: Path


@pytest.fixture
def live(store: AlarmStore, tmp_path: Path) -> Iterator[Live]:
    from tests.service.api.pipeline import tiny_runtime  # imports the pipeline (and torch)

    runtime = tiny_runtime(tmp_path / "stations", store)
    app = create_app(settings_for(tmp_path), ApiServices.from_runtime(runtime))
    runtime.start()
    try:
        with TestClient(app) as test_client:
            yield Live(runtime, test_client, tmp_path)
    finally:
        runtime.stop(timeout=2.0)
