"""Errors are JSON, always: unknown routes, wrong methods, body limits, store and bugs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.alarms import AlarmStoreError
from service.api.app import create_app
from service.api.services import ApiServices
from tests.service.api.conftest import AddAlarm, auth, settings_for


class FailingStore:
    """An alarm store whose queries fail; its database engine (the job records') works."""

    def __init__(self, error: Exception, engine: object) -> None:
        self.error = error
        self.engine = engine

    def list(self, *args: object, **kwargs: object) -> None:
        raise self.error

    get = acknowledge = list


def app_with_store(services: ApiServices, tmp_path: Path, error: Exception) -> FastAPI:
    broken = ApiServices(
        FailingStore(error, services.store.engine), services.bus, services.snapshots
    )  # type: ignore[arg-type]
    return create_app(settings_for(tmp_path), broken)


def test_unknown_route_and_wrong_method(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "no such resource: /api/nothing-here"}
    }
    response = client.delete("/api/alarms", headers=auth("admin"))
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]


def test_unexpected_errors_leak_nothing(services: ApiServices, tmp_path: Path) -> None:
    app = app_with_store(services, tmp_path, RuntimeError("secret detail at /srv/x.py:12"))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/alarms", headers=auth("viewer"))
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "internal error; see the server log"}
    }
    assert "secret" not in response.text and "Traceback" not in response.text


def test_a_failing_store_is_503(services: ApiServices, tmp_path: Path) -> None:
    error = AlarmStoreError("listing alarms failed on the alarm store at sqlite:////x: locked")
    app = app_with_store(services, tmp_path, error)
    with TestClient(app) as client:
        response = client.get("/api/alarms", headers=auth("viewer"))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable" and "sqlite" not in response.text


def test_bodies_over_the_limit_are_413(
    services: ApiServices, tmp_path: Path, add_alarm: AddAlarm
) -> None:
    app = create_app(settings_for(tmp_path, max_upload_bytes=1024), services)
    record = add_alarm()
    url = f"/api/alarms/{record.id}/ack"
    headers = {**auth("operator"), "Content-Type": "application/json"}
    body = b'{"note": "' + b"x" * 2000 + b'"}'
    with TestClient(app) as client:
        declared = client.post(url, headers=headers, content=body)
        assert declared.status_code == 413
        assert declared.json()["error"]["code"] == "payload_too_large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield body[:1000]
            yield body[1000:]

        streamed = client.post(url, headers=headers, content=chunks())
        assert streamed.status_code == 413
        assert streamed.json()["error"]["message"] == "the request body exceeds 1024 bytes"
        assert client.post(url, headers=headers, content=b'{"note": "ok"}').status_code == 200


def test_openapi_documents_the_errors_and_examples(app: FastAPI) -> None:
    document = app.openapi()
    ack = document["paths"]["/api/alarms/{alarm_id}/ack"]["post"]
    for code in ("401", "403", "404", "422"):
        assert ack["responses"][code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }
    schemas = document["components"]["schemas"]
    for name in ("Alarm", "AlarmPage", "AckRequest", "Readiness", "Health", "ErrorResponse"):
        assert schemas[name].get("examples"), name
    assert (
        "text/event-stream"
        in document["paths"]["/api/alarms/stream"]["get"]["responses"]["200"]["content"]
    )


def test_cors_is_off_unless_origins_are_configured(
    app: FastAPI, services: ApiServices, tmp_path: Path
) -> None:
    preflight = {
        "Origin": "https://ops.example.org",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authorization",
    }
    with TestClient(app) as client:
        response = client.options("/api/alarms", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
    allowed = create_app(settings_for(tmp_path, cors_origins=["https://ops.example.org"]), services)
    with TestClient(allowed) as client:
        response = client.options("/api/alarms", headers=preflight)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://ops.example.org"
