"""/api/alarms/stream: alarms published on the bus reach the client as Server-Sent Events.

Every read has a deadline (a reader thread feeds a queue), so a broken stream fails the test
instead of hanging it.
"""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.alarms import AlarmEvent
from service.api.app import create_app
from service.api.server import ApiServer
from service.api.services import ApiServices
from tests.service.api.conftest import AddAlarm, auth, settings_for

TIMEOUT_S = 5.0


class Lines:
    """The lines of a stream, read by a daemon thread, taken with a deadline."""

    def __init__(self, source: Iterator[str]) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            try:
                for line in source:
                    self._lines.put(line)
            except Exception:  # the stream was closed under us: that is its end
                pass
            self._lines.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def next(self, timeout: float = TIMEOUT_S) -> str | None:
        """The next line (``None`` at the end of the stream)."""
        return self._lines.get(timeout=timeout)

    def until(self, wanted: Callable[[str], bool], timeout: float = TIMEOUT_S) -> list[str]:
        """Lines up to and including the first one ``wanted`` (AssertionError past deadline)."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.next(max(0.0, left))
            except queue.Empty:
                raise AssertionError(f"no wanted line within {timeout} s; got {seen}") from None
            if line is None:
                raise AssertionError(f"the stream ended; got {seen}")
            seen.append(line)
            if wanted(line):
                return seen

    def end(self, timeout: float = TIMEOUT_S) -> None:
        """Wait for the end of the stream (AssertionError past the deadline)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.next(max(0.0, deadline - time.monotonic())) is None:
                    return
            except queue.Empty:
                raise AssertionError(f"the stream did not end within {timeout} s") from None


def event_after(lines: Lines, kind: str) -> dict[str, object]:
    """The data of the next ``kind`` event (its id line checked)."""
    lines.until(lambda line: line == f"event: {kind}")
    id_line, data_line = lines.next(), lines.next()
    assert id_line is not None and id_line.startswith("id: ")
    assert data_line is not None and data_line.startswith("data: ")
    data = json.loads(data_line.removeprefix("data: "))
    assert id_line == f"id: {data['id']}"
    return data


def wait_for(condition: Callable[[], bool], timeout: float = TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@contextmanager
def feed(client: TestClient, role: str = "viewer") -> Iterator[Lines]:
    with client.stream("GET", "/api/alarms/stream", headers=auth(role)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        lines = Lines(response.iter_lines())
        lines.until(lambda line: line == ": connected")  # subscribed from here on
        yield lines


def test_the_feed_delivers_published_alarms(
    client: TestClient, services: ApiServices, add_alarm: AddAlarm
) -> None:
    with feed(client) as lines:
        record = add_alarm(snapshots=True)
        services.bus.publish(AlarmEvent("new", record))
        data = event_after(lines, "new")
        assert data["id"] == record.id and data["type"] == "bar_open_at_departure"
        assert data["snapshots"] == {
            "crop": f"/api/alarms/{record.id}/snapshots/crop",
            "frame": f"/api/alarms/{record.id}/snapshots/frame",
            "heatmap": None,
        }
        ack = client.post(f"/api/alarms/{record.id}/ack", headers=auth("operator"))
        assert ack.status_code == 200
        update = event_after(lines, "update")
        assert update["id"] == record.id and update["acknowledged_by"] == "op-1"


def test_heartbeats_keep_a_quiet_feed_alive(client: TestClient) -> None:
    with feed(client) as lines:
        lines.until(lambda line: line == ": heartbeat", timeout=2.0)  # settings: every 0.2 s


def test_the_subscription_ends_with_the_client(client: TestClient, services: ApiServices) -> None:
    with feed(client):
        assert services.bus.subscribers == 1
    assert wait_for(lambda: services.bus.subscribers == 0)


def test_the_feed_needs_a_key(client: TestClient) -> None:
    assert client.get("/api/alarms/stream").status_code == 401


def test_a_slow_client_is_told_to_resync(
    client: TestClient, services: ApiServices, add_alarm: AddAlarm
) -> None:
    record = add_alarm()
    original = services.bus.subscribe

    def small(maxsize: int = 100) -> object:
        return original(maxsize=2)

    services.bus.subscribe = small  # type: ignore[method-assign,assignment]
    with feed(client) as lines:
        for _ in range(50):
            services.bus.publish(AlarmEvent("update", record))
        lines.until(lambda line: line == "event: resync")
        dropped = lines.next()
        assert dropped is not None and json.loads(dropped.removeprefix("data: "))["dropped"] > 0


def test_a_real_server_streams_and_stops_with_a_client_connected(
    services: ApiServices, tmp_path: Path, add_alarm: AddAlarm
) -> None:
    """uvicorn on a real socket: healthz, the feed, then a prompt stop that ends the feed."""
    app: FastAPI = create_app(settings_for(tmp_path), services)
    server = ApiServer(app, "127.0.0.1", 0)
    assert server.port > 0
    server.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT_S)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()

        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT_S)
        conn.request("GET", "/api/alarms/stream", headers=auth("viewer"))
        response = conn.getresponse()
        assert response.status == 200
        raw = (line.decode().rstrip("\r\n") for line in iter(response.readline, b""))
        lines = Lines(raw)
        lines.until(lambda line: line == ": connected")
        record = add_alarm()
        services.bus.publish(AlarmEvent("new", record))
        assert event_after(lines, "new")["id"] == record.id

        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 3.0
        lines.end()  # the server ended the feed: the client saw the end of the stream
        assert wait_for(lambda: services.bus.subscribers == 0)
        conn.close()
    finally:
        server.stop()
