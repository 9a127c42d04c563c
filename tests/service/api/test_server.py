"""The API server thread: binds in the caller's thread, so a busy port is a clear OSError."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from service.api.app import create_app
from service.api.server import ApiServer, bind_socket
from service.api.services import ApiServices
from tests.service.api.conftest import settings_for


def test_a_busy_port_is_an_oserror_naming_it(services: ApiServices, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
            ApiServer(create_app(settings_for(tmp_path), services), "127.0.0.1", port)


def test_port_zero_picks_a_free_port_and_stop_is_idempotent(
    services: ApiServices, tmp_path: Path
) -> None:
    server = ApiServer(create_app(settings_for(tmp_path), services), "127.0.0.1", 0)
    assert server.port > 0 and server.url == f"http://127.0.0.1:{server.port}"
    server.start()
    with pytest.raises(RuntimeError, match="already started"):
        server.start()
    server.stop()
    server.stop()
    assert services.shutdown.is_set()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_bind_socket_ipv6_loopback() -> None:
    try:
        sock = bind_socket("::1", 0)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with sock:
        assert sock.family == socket.AF_INET6
