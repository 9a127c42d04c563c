"""The API's routers, one module per resource; ``create_app`` includes every one of ``ROUTERS``.

To add a resource: write ``service/api/routes/<resource>.py`` with
``router = APIRouter(prefix="/api/<resource>", tags=["<resource>"], responses=AUTH_RESPONSES)``,
its request and response models in ``service/api/schemas/<resource>.py``, take shared objects
and the caller through the aliases of :mod:`service.api.deps` (``OperatorDep`` and so on: every
``/api`` route names the role it needs), and append the router to ``ROUTERS`` below.
``dashboard`` is the exception: the public page at ``/`` and ``/static/``, which holds no data
(it reads everything from ``/api`` with the operator's key).
"""

from __future__ import annotations

from fastapi import APIRouter

from service.api.routes import (
    alarms,
    dashboard,
    health,
    jobs,
    lifts,
    metrics,
    models,
    similar,
    stations,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    metrics.router,
    similar.router,
    alarms.router,
    lifts.router,
    stations.router,
    jobs.router,
    models.router,
    dashboard.router,
)
