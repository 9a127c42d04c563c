"""uvicorn serving the API from a background thread, beside the pipeline in one process.

The socket is bound in the caller's thread (:class:`ApiServer` construction), so a port in
use is an ``OSError`` there, before anything starts, and port 0 picks a free port that
:attr:`ApiServer.port` reports. uvicorn runs in its own thread and event loop and installs no
signal handlers there: the caller keeps Ctrl-C and calls :meth:`ApiServer.stop`, which ends
the live feeds first (``services.shutdown``), then lets uvicorn finish the requests in flight.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

from service.api.state import app_services

logger = logging.getLogger(__name__)

GRACE_S = 5
"""How long stopping waits for requests in flight before closing their connections."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (IPv6 when ``host`` has a colon); ``OSError`` if not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


class ApiServer:
    """``app`` served on ``host:port`` by uvicorn in a daemon thread: ``start``, then ``stop``."""

    def __init__(self, app: FastAPI, host: str, port: int, grace_s: int = GRACE_S) -> None:
        self.app = app
        self.host = host
        self.socket = bind_socket(host, port)
        self.port: int = self.socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            host=host,
            port=self.port,
            log_config=None,  # leave the process's logging as the CLI set it
            access_log=False,
            timeout_graceful_shutdown=grace_s,
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        """Serve from a thread; returns once uvicorn accepts connections (``RuntimeError`` if it
        does not within ``timeout`` seconds)."""
        if self._thread is not None:
            raise RuntimeError("the API server was already started")
        self._thread = threading.Thread(target=self._run, name="api-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop(1.0)
                raise RuntimeError(f"the API server did not start on {self.url}; see the log")
            time.sleep(0.02)
        logger.info("API listening on %s", self.url)

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self.socket])
        except BaseException:  # uvicorn exits with SystemExit on a failed startup
            logger.exception("the API server failed")

    def stop(self, timeout: float = GRACE_S + 2.0) -> None:
        """End the live feeds, stop accepting, finish requests in flight; idempotent."""
        app_services(self.app).shutdown.set()
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.warning("the API server did not stop within %.1f s", timeout)
        self.socket.close()
