"""Where an app keeps its settings and services (``app.state``), read back with their types."""

from __future__ import annotations

from typing import cast

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp

from service.api.services import ApiServices
from service.api.settings import Settings


def attach(app: ASGIApp, settings: Settings, services: ApiServices) -> None:
    """Keep ``settings`` and ``services`` on ``app.state`` (done once, by ``create_app``)."""
    state = app.state  # type: ignore[attr-defined]
    state.settings = settings
    state.services = services


def app_services(app: ASGIApp) -> ApiServices:
    """The services kept on ``app`` by :func:`attach`."""
    return cast(ApiServices, app.state.services)  # type: ignore[attr-defined]


def settings_of(conn: HTTPConnection) -> Settings:
    """The settings of the app serving ``conn``."""
    return cast(Settings, conn.app.state.settings)


def services_of(conn: HTTPConnection) -> ApiServices:
    """The services of the app serving ``conn``."""
    return cast(ApiServices, conn.app.state.services)
