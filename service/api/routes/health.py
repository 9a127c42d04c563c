"""``/healthz`` (the process answers) and ``/readyz`` (the pipeline can decide): no auth, for
load balancers and orchestrators; neither reveals more than states and counts."""

from __future__ import annotations

import logging
import time
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.api.deps import RuntimeDep, ServicesDep
from service.api.schemas.health import Health, Readiness, StationReadiness

if TYPE_CHECKING:
    from service.pipeline.runtime import Runtime

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])

try:
    VERSION = version("liftwatch")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "unknown"


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
def healthz(services: ServicesDep) -> Health:
    return Health(status="ok", version=VERSION, uptime_s=time.time() - services.started_at)


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Readiness: pipeline running, inference worker alive, model loaded",
    responses={503: {"model": Readiness, "description": "Not ready; `problems` says why."}},
)
def readyz(runtime: RuntimeDep) -> JSONResponse:
    readiness = readiness_of(runtime)
    code = 200 if readiness.ready else 503
    return JSONResponse(readiness.model_dump(mode="json"), status_code=code)


def readiness_of(runtime: Runtime | None) -> Readiness:
    """The readiness of ``runtime`` (``None``: no pipeline here, not ready)."""
    if runtime is None:
        return Readiness(
            ready=False,
            problems=["no pipeline runs in this process"],
            model=None,
            engine=None,
            inference_worker_alive=False,
            stations={},
        )
    problems = []
    model = engine = None
    try:
        loaded = runtime.classifier.engine
        model, engine = loaded.model_id, loaded.name
    except Exception:  # a broken engine must not break the probe
        logger.exception("readiness: the model cannot be read")
    if model is None:
        problems.append("no model is loaded")
    alive = runtime.inference.is_alive()
    if not alive:
        problems.append("the inference worker is not running")
    masks = runtime.classifier.masks
    stations = {}
    for sid, status in runtime.status().items():
        capture, analysis = status.capture, status.analysis
        lift = runtime.runners[sid].analyser.config.lift
        stations[sid] = StationReadiness(
            state=capture.state,
            connected=capture.connected,
            fps=capture.fps,
            last_frame_time=capture.last_frame_time,
            frames=analysis.frames,
            masks_loaded=lift in masks,
        )
    return Readiness(
        ready=not problems,
        problems=problems,
        model=model,
        engine=engine,
        inference_worker_alive=alive,
        stations=stations,
    )
