"""Where an app keeps its settings and services (``app.state``), read back with their types."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp

from service.api.services import ApiServices
from service.api.settings import Settings

if TYPE_CHECKING:
    from service.api.metrics import ApiMetrics


def attach(app: ASGIApp, settings: Settings, services: ApiServices, metrics: ApiMetrics) -> None:
    """Keep ``settings``, ``services`` and ``metrics`` on ``app.state`` (by ``create_app``)."""
    state = app.state  # type: ignore[attr-defined]
    state.settings = settings
    state.services = services
    state.metrics = metrics


def app_services(app: ASGIApp) -> ApiServices:
    """The services kept on ``app`` by :func:`attach`."""
    return cast(ApiServices, app.state.services)  # type: ignore[attr-defined]


def settings_of(conn: HTTPConnection) -> Settings:
    """The settings of the app serving ``conn``."""
    return cast(Settings, conn.app.state.settings)


def services_of(conn: HTTPConnection) -> ApiServices:
    """The services of the app serving ``conn``."""
    return cast(ApiServices, conn.app.state.services)


def metrics_of(conn: HTTPConnection) -> ApiMetrics:
    """The metrics of the app serving ``conn``."""
    return cast("ApiMetrics", conn.app.state.metrics)
