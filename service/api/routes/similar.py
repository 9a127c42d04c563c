"""``GET /api/alarms/{id}/similar``: the alarms (and live stations) nearest by hash code.

Viewer role. The hashing model (``models/default/hashing.onnx``) loads on the first request;
without it the route answers 503 ``unavailable`` with the reason. Codes are computed lazily from
the registered crop snapshots and cached in the alarm database (``service.similar``). The
finder lives on ``app.state.similar`` (made on first use; tests put their own there).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, cast

import numpy as np
from fastapi import APIRouter, Depends, Query, Request, status

from service.api.deps import RuntimeDep, StoreDep, ViewerDep
from service.api.errors import ApiError, not_found
from service.api.routes.alarms import AlarmId
from service.api.schemas.alarms import ALARM_PREFIX, Alarm
from service.api.schemas.errors import AUTH_RESPONSES, NOT_FOUND, ErrorResponse
from service.api.schemas.similar import SimilarAlarm, SimilarAlarms, SimilarStation
from service.api.state import services_of
from service.similar import HashingUnavailableError
from service.similar import SimilarAlarms as Finder
from service.similar.finder import NoCropError

logger = logging.getLogger(__name__)

router = APIRouter(prefix=ALARM_PREFIX, tags=["alarms"], responses=AUTH_RESPONSES)
MAX_SIMILAR = 100


def get_finder(request: Request) -> Finder:
    """The app's finder (``app.state.similar``), made over its store and snapshots on first use
    (two first requests at once may each make one: both work, the last one stays)."""
    state = request.app.state
    finder = getattr(state, "similar", None)
    if finder is None:
        services = services_of(request)
        finder = state.similar = Finder(services.store, services.snapshots)
    return cast(Finder, finder)


FinderDep = Annotated[Finder, Depends(get_finder)]
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorResponse, "description": "No usable hashing model here."}
}


@router.get(
    "/{alarm_id}/similar",
    response_model=SimilarAlarms,
    summary="The alarms whose crops look most alike (48-bit hash codes, Hamming distance)",
    responses={**NOT_FOUND, **UNAVAILABLE},
)
def similar_alarms(
    alarm_id: AlarmId,
    store: StoreDep,
    finder: FinderDep,
    runtime: RuntimeDep,
    _: ViewerDep,
    limit: Annotated[int, Query(ge=1, le=MAX_SIMILAR, description="How many alarms.")] = 10,
) -> SimilarAlarms:
    record = store.get(alarm_id)
    if record is None:
        raise not_found(f"no alarm {alarm_id}")
    try:
        result = finder.similar(record, limit)
        crops: dict[str, tuple[np.ndarray, int | None]] = {}
        if runtime is not None:
            for station_id in sorted(runtime.runners):
                latest = runtime.latest(station_id).crop
                if latest is not None:
                    crops[station_id] = (latest.image, latest.frame)
        stations = finder.stations(result.code, crops)
    except HashingUnavailableError as exc:
        raise ApiError(status.HTTP_503_SERVICE_UNAVAILABLE, "unavailable", str(exc)) from None
    except NoCropError as exc:
        raise not_found(str(exc)) from None
    return SimilarAlarms(
        alarm_id=alarm_id,
        code=f"{result.code:0{(result.bits + 3) // 4}x}",
        bits=result.bits,
        model=result.model,
        candidates=result.candidates,
        items=[SimilarAlarm(distance=d, alarm=Alarm.from_record(r)) for r, d in result.items],
        stations=[
            SimilarStation(
                station_id=s,
                distance=d,
                frame=f,
                image=f"/api/stations/{s}/registered.jpg",
            )
            for s, d, f in stations
        ],
    )
