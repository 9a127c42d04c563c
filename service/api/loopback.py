"""Which hosts are this machine: bind addresses and client addresses on the loopback."""

from __future__ import annotations

import ipaddress

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
TEST_CLIENT_HOST = "testclient"
"""The client host of Starlette's ``TestClient``: in-process, so as local as loopback."""


def is_loopback_address(host: str) -> bool:
    """Whether ``host`` is a loopback IP (127.0.0.0/8, ::1, ::ffff:127.x) or ``localhost``."""
    text = host.strip().strip("[]").lower()
    if text in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def is_loopback_client(host: str | None) -> bool:
    """Whether a request's client address is this machine (the test client counts)."""
    if host is None:
        return False
    return host == TEST_CLIENT_HOST or is_loopback_address(host)
