"""The FastAPI app: ``create_app(settings, services)`` and nothing created at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from service.api.errors import install_error_handlers
from service.api.limits import BodyLimitMiddleware
from service.api.metrics import ApiMetrics
from service.api.routes import ROUTERS
from service.api.routes.health import VERSION
from service.api.services import ApiServices
from service.api.settings import ENV_PREFIX, Settings
from service.api.state import attach

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Operator API of liftwatch: chairlift safety-bar alarms, their snapshots and live feed; lifts
and their masks (upload, check with classify); stations' live status and images; Prometheus
metrics at `/metrics`; training and evaluation jobs, model versions and their activation.

Send `Authorization: Bearer <API key>`. Roles: **viewer** reads, **operator** also acknowledges
alarms (and manages masks), **admin** also manages models and jobs. Errors are always JSON:
`{"error": {"code": "...", "message": "..."}}`.
"""


def create_app(settings: Settings, services: ApiServices | None = None) -> FastAPI:
    """The API over ``services`` (the alarm store, bus, snapshots and the pipeline, if any).

    Without ``services`` the app opens the store of ``settings`` itself (no pipeline) and
    closes it at shutdown. At shutdown ``services.shutdown`` is set, which ends live feeds.
    """
    owned = services is None
    shared = ApiServices.from_settings(settings) if services is None else services
    shared = shared.with_lifts(settings.data_dir).with_jobs(settings.data_dir)
    jobs = shared.jobs
    assert jobs is not None
    metrics = ApiMetrics(shared)
    metrics.attach()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jobs.start()
        try:
            yield
        finally:
            jobs.stop()
        metrics.detach()
        shared.shutdown.set()
        if owned:
            shared.store.close()

    app = FastAPI(
        title="liftwatch",
        version=VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    attach(app, settings, shared, metrics)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_upload_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    for router in ROUTERS:
        app.include_router(router)
    if not settings.auth_enabled:
        logger.warning(
            "no API key configured: the API serves clients on this machine only, as admin. "
            "Set %sAPI_KEYS or %sAPI_KEYS_FILE (`liftwatch keys hash` makes a key) to serve "
            "others",
            ENV_PREFIX,
            ENV_PREFIX,
        )
    return app
