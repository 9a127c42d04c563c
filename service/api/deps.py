"""What routes take as parameters: the shared objects and the caller, as typed aliases.

A route declares what it needs and FastAPI supplies it::

    @router.post("/{alarm_id}/ack")
    def acknowledge(alarm_id: AlarmId, store: StoreDep, bus: BusDep, who: OperatorDep): ...

``ViewerDep``, ``OperatorDep`` and ``AdminDep`` authenticate the caller and check their role
(see :mod:`service.api.auth`); a route that only needs the check, not the principal, can list
``Depends(require("viewer"))`` in its router's ``dependencies`` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from service.alarms import AlarmBus, AlarmStore, SnapshotStore
from service.api.auth import Principal, require
from service.api.metrics import ApiMetrics
from service.api.services import ApiServices
from service.api.settings import Settings
from service.api.state import metrics_of, services_of, settings_of
from service.jobs import JobRunner, ModelCatalog
from service.lifts import LiftService

if TYPE_CHECKING:
    from service.pipeline.runtime import Runtime


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def get_services(request: Request) -> ApiServices:
    return services_of(request)


async def get_store(request: Request) -> AlarmStore:
    return services_of(request).store


async def get_bus(request: Request) -> AlarmBus:
    return services_of(request).bus


async def get_snapshots(request: Request) -> SnapshotStore:
    return services_of(request).snapshots


async def get_runtime(request: Request) -> Runtime | None:
    return services_of(request).runtime


async def get_lifts(request: Request) -> LiftService:
    lifts = services_of(request).lifts
    assert lifts is not None, "create_app gives every app a lift service"
    return lifts


async def get_jobs(request: Request) -> JobRunner:
    jobs = services_of(request).jobs
    assert jobs is not None, "create_app gives every app a job runner"
    return jobs


async def get_models(request: Request) -> ModelCatalog:
    models = services_of(request).models
    assert models is not None, "create_app gives every app a model catalog"
    return models


async def get_metrics(request: Request) -> ApiMetrics:
    return metrics_of(request)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServicesDep = Annotated[ApiServices, Depends(get_services)]
StoreDep = Annotated[AlarmStore, Depends(get_store)]
BusDep = Annotated[AlarmBus, Depends(get_bus)]
SnapshotsDep = Annotated[SnapshotStore, Depends(get_snapshots)]
RuntimeDep = Annotated["Runtime | None", Depends(get_runtime)]
"""The running pipeline, or ``None`` (the API may serve the alarms alone)."""
LiftsDep = Annotated[LiftService, Depends(get_lifts)]
"""The lifts, their masks, and the classifier that judges with them."""
JobsDep = Annotated[JobRunner, Depends(get_jobs)]
"""The training and evaluation jobs."""
ModelsDep = Annotated[ModelCatalog, Depends(get_models)]
"""The model versions, and activation of one."""
MetricsDep = Annotated[ApiMetrics, Depends(get_metrics)]

ViewerDep = Annotated[Principal, Depends(require("viewer"))]
"""The caller, who may read."""
OperatorDep = Annotated[Principal, Depends(require("operator"))]
"""The caller, who may acknowledge alarms, upload masks and classify."""
AdminDep = Annotated[Principal, Depends(require("admin"))]
"""The caller, who may manage models and jobs."""
