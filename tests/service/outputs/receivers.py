"""Real receivers on loopback for the output tests: an HTTP server that checks each webhook's
signature (failing the first requests on purpose), and MQTT helpers (the local Mosquitto, or a
broker of a test's own, and a subscriber that collects what arrives)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from service.outputs import verify

SECRET = "test-webhook-secret-0123456789abcdef"
LOCAL_BROKER = ("127.0.0.1", 1883)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@dataclass
class Received:
    """One request the receiver got: headers, body, whether its signature was right."""

    headers: dict[str, str]
    body: bytes
    signed: bool
    status: int

    @property
    def message(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Answers ``fail_first`` requests with ``fail_status`` (or waits ``delay_s``), then 200,
    and 401 to any request whose ``X-Liftwatch-Signature`` is wrong."""

    secret: bytes = SECRET.encode()
    fail_first: int = 0
    fail_status: int = 503
    delay_s: float = 0.0
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    @property
    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.status == 200]

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        signed = verify(self.secret, body, headers.get("X-Liftwatch-Signature", ""))
        with self.lock:
            failing = len(self.requests) < self.fail_first
            status = 401 if not signed else (self.fail_status if failing else 200)
            self.requests.append(Received(headers, body, signed, status))
        if failing and self.delay_s:
            time.sleep(self.delay_s)
        return status


@contextmanager
def webhook_receiver(**options: Any) -> Iterator[WebhookReceiver]:
    """A :class:`WebhookReceiver` listening on a free loopback port, for the ``with`` block."""
    receiver = WebhookReceiver(**options)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.handle(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that timed out and left: expected here

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/liftwatch?token=abc"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout):
            return True
    except OSError:
        return False


def require_local_broker() -> None:
    if not reachable(*LOCAL_BROKER):
        pytest.skip("no MQTT broker at 127.0.0.1:1883 (the local Mosquitto service is not running)")


class Collector:
    """A paho subscriber on ``topic`` that keeps every message's JSON, in order."""

    def __init__(self, host: str, port: int, topic: str) -> None:
        self.messages: list[Any] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect(host, port)
        self.client.loop_start()
        if not self._subscribed.wait(10):
            self.close()
            raise RuntimeError(f"could not subscribe to {topic} on {host}:{port}")

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append(json.loads(message.payload))

    def received(self) -> list[Any]:
        with self._lock:
            return list(self.messages)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Mosquitto:
    """A Mosquitto broker of the test's own on a free loopback port (stop and start it again)."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(binary).exists():
            pytest.skip("the mosquitto binary is not installed (apt-get install mosquitto)")
        self.binary, self.port = binary, free_port()
        self.config = folder / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for(lambda: reachable("127.0.0.1", self.port, 0.2), 10):
            self.stop()
            pytest.skip(f"mosquitto did not start on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None
