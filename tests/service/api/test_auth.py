"""Auth: bearer keys by digest, roles viewer < operator < admin, loopback only without keys."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.loopback import is_loopback_address, is_loopback_client
from tests.service.api.conftest import AddAlarm, auth

ALARM_ID = "0123456789abcdef0123456789abcdef"


def test_no_key_is_401_with_a_challenge(client: TestClient) -> None:
    response = client.get("/api/alarms")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="liftwatch"'
    assert response.json()["error"]["code"] == "unauthorized"
    assert "Bearer" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "header", ["Bearer lw_not-a-configured-key-000000000000000", "Basic dXNlcjpwYXNz", "Bearer "]
)
def test_unknown_or_malformed_key_is_401(client: TestClient, header: str) -> None:
    response = client.get("/api/alarms", headers={"Authorization": header})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_every_role_reads(client: TestClient, role: str) -> None:
    assert client.get("/api/alarms", headers=auth(role)).status_code == 200


def test_viewer_cannot_acknowledge(client: TestClient, add_alarm: AddAlarm) -> None:
    record = add_alarm()
    response = client.post(f"/api/alarms/{record.id}/ack", headers=auth("viewer"))
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden" and "operator role" in error["message"]
    assert (
        client.get(f"/api/alarms/{record.id}", headers=auth("viewer")).json()["acknowledged"]
        is False
    )


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_operator_and_admin_acknowledge(client: TestClient, add_alarm: AddAlarm, role: str) -> None:
    record = add_alarm()
    response = client.post(f"/api/alarms/{record.id}/ack", headers=auth(role))
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == {"operator": "op-1", "admin": "admin-1"}[role]


def test_auth_comes_before_validation(client: TestClient) -> None:
    """An anonymous caller learns nothing from parameter errors."""
    assert client.get("/api/alarms?limit=0").status_code == 401
    assert client.get("/api/alarms/not-an-id").status_code == 401


def test_without_keys_a_loopback_client_is_admin(keyless_app: FastAPI, add_alarm: AddAlarm) -> None:
    record = add_alarm()
    for host in ("testclient", "127.0.0.1", "::1"):
        with TestClient(keyless_app, client=(host, 50000)) as local:
            assert local.get("/api/alarms").status_code == 200
            response = local.post(f"/api/alarms/{record.id}/ack")
            assert response.status_code == 200 and response.json()["acknowledged_by"] == "local"


def test_without_keys_a_remote_client_is_refused(keyless_app: FastAPI) -> None:
    with TestClient(keyless_app, client=("10.0.0.5", 1234)) as remote:
        response = remote.get("/api/alarms", headers=auth("admin"))
        assert response.status_code == 403
        message = response.json()["error"]["message"]
        assert "no API key is configured" in message and "LIFTWATCH_API_KEYS" in message
        assert remote.get("/healthz").status_code == 200  # probes need no key


def test_with_keys_a_remote_client_with_a_key_is_served(app: FastAPI) -> None:
    with TestClient(app, client=("10.0.0.5", 1234)) as remote:
        assert remote.get("/api/alarms", headers=auth("viewer")).status_code == 200
        assert remote.get("/api/alarms").status_code == 401


def test_with_keys_a_loopback_client_needs_a_key_too(client: TestClient) -> None:
    assert client.get("/api/alarms").status_code == 401


class Samples(dict[str, str]):
    """Path parameter values: known ones, else a plain name."""

    def __missing__(self, key: str) -> str:
        return "x"


def test_every_api_route_requires_a_key(app: FastAPI) -> None:
    """Guards routers added later: no /api route may answer an anonymous caller."""
    samples = Samples(alarm_id=ALARM_ID, kind="crop")
    paths = {p: ops for p, ops in app.openapi()["paths"].items() if p.startswith("/api")}
    assert len(paths) >= 4
    with TestClient(app) as anonymous:
        for template, operations in paths.items():
            path = template.format_map(samples)
            for method in operations:
                response = anonymous.request(method.upper(), path)
                assert response.status_code == 401, (method, template)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True),
     ("::ffff:127.0.0.1", True), ("localhost", True), ("0.0.0.0", False), ("::", False),
     ("10.0.0.5", False), ("example.org", False), ("", False)],
)  # fmt: skip
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback_address(host) is loopback


def test_loopback_clients() -> None:
    assert is_loopback_client("testclient") and is_loopback_client("127.0.0.1")
    assert not is_loopback_client(None) and not is_loopback_client("10.1.2.3")
