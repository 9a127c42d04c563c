"""``/api/models``: the servable model versions (viewer) and activating one (admin): an atomic
hot swap of the running pipeline's engine, remembered for the next ``liftwatch serve``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from service.api.deps import AdminDep, ModelsDep, ViewerDep
from service.api.errors import ApiError, not_found
from service.api.schemas.errors import AUTH_RESPONSES, NOT_FOUND
from service.api.schemas.models import MODEL_PREFIX, VERSION_PATTERN, ModelList, ModelVersionOut
from service.jobs import UnknownVersionError
from service.jobs.catalog import NoPipelineError

router = APIRouter(prefix=MODEL_PREFIX, tags=["models"], responses=AUTH_RESPONSES)
Version = Annotated[str, Path(pattern=VERSION_PATTERN, examples=["siamese-fast@c918f4ca5d67"])]
NO_PIPELINE: dict[int | str, dict[str, Any]] = {409: {"description": "No pipeline runs here."}}


@router.get("", response_model=ModelList, summary="Model versions")
def list_models(models: ModelsDep, _: ViewerDep) -> ModelList:
    versions = models.versions()
    active = next((v.version for v in versions if v.active), models.active_version())
    return ModelList(items=[ModelVersionOut.of(v) for v in versions], active=active)


@router.post(
    "/{version}/activate",
    response_model=ModelVersionOut,
    summary="Serve this version now (hot swap)",
    responses={**NOT_FOUND, **NO_PIPELINE},
)
def activate(version: Version, models: ModelsDep, _: AdminDep) -> ModelVersionOut:
    try:
        return ModelVersionOut.of(models.activate(version))
    except UnknownVersionError as exc:
        raise not_found(str(exc)) from None
    except NoPipelineError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
