"""``/api/stations``: each running station's status, and its newest frame, newest registered
crop and registered reference as JPEG (viewer role).

Images are the pipeline's own arrays, read by reference and encoded on the request's thread;
the pipeline never waits for a viewer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Path
from fastapi.responses import Response

from service.api.deps import RuntimeDep, ViewerDep
from service.api.errors import not_found
from service.api.schemas.errors import AUTH_RESPONSES, NOT_FOUND
from service.api.schemas.stations import STATION_PREFIX, Station, StationList
from service.config.types import SLUG_PATTERN
from service.lifts import encode

if TYPE_CHECKING:
    from service.pipeline.runtime import Runtime

router = APIRouter(prefix=STATION_PREFIX, tags=["stations"], responses=AUTH_RESPONSES)

StationId = Annotated[
    str, Path(pattern=SLUG_PATTERN, description="The station's id.", examples=["lift-07-bottom"])
]
JPEG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}}, "description": "A JPEG image."},
    **NOT_FOUND,
}
ImageKind = Literal["frame", "registered", "reference"]


def _runtime(runtime: Runtime | None, station_id: str) -> Runtime:
    if runtime is None or station_id not in runtime.runners:
        raise not_found(f"no station {station_id} runs here")
    return runtime


def _station(runtime: Runtime, station_id: str) -> Station:
    lift = runtime.runners[station_id].analyser.config.lift
    return Station.of(station_id, lift, runtime.station_status(station_id))


@router.get("", response_model=StationList, summary="Every running station's status")
def list_stations(runtime: RuntimeDep, _: ViewerDep) -> StationList:
    if runtime is None:
        return StationList(items=[])
    return StationList(items=[_station(runtime, sid) for sid in sorted(runtime.runners)])


@router.get("/{station_id}", response_model=Station, summary="One station", responses=NOT_FOUND)
def get_station(station_id: StationId, runtime: RuntimeDep, _: ViewerDep) -> Station:
    return _station(_runtime(runtime, station_id), station_id)


def _jpeg(image: np.ndarray, frame: int | None) -> Response:
    headers = {"Cache-Control": "no-store"}
    if frame is not None:
        headers["X-Frame-Index"] = str(frame)
    return Response(encode(image, ".jpg"), media_type="image/jpeg", headers=headers)


def _image(runtime: Runtime | None, station_id: str, kind: ImageKind) -> Response:
    live = _runtime(runtime, station_id)
    if kind == "reference":
        reference = live.runners[station_id].analyser.registrar.reference.registered
        return _jpeg(reference, None)
    latest = live.latest(station_id)
    image = latest.frame if kind == "frame" else latest.crop
    if image is None:
        what = "frame" if kind == "frame" else "registered crop"
        raise not_found(f"station {station_id} has no {what} yet")
    return _jpeg(image.image, image.frame)


@router.get(
    "/{station_id}/frame.jpg", response_class=Response, summary="Newest raw frame", responses=JPEG
)
def frame_jpg(station_id: StationId, runtime: RuntimeDep, _: ViewerDep) -> Response:
    return _image(runtime, station_id, "frame")


@router.get(
    "/{station_id}/registered.jpg",
    response_class=Response,
    summary="Newest registered crop",
    responses=JPEG,
)
def registered_jpg(station_id: StationId, runtime: RuntimeDep, _: ViewerDep) -> Response:
    return _image(runtime, station_id, "registered")


@router.get(
    "/{station_id}/reference.jpg",
    response_class=Response,
    summary="The registered reference: the image masks are drawn on",
    responses=JPEG,
)
def reference_jpg(station_id: StationId, runtime: RuntimeDep, _: ViewerDep) -> Response:
    return _image(runtime, station_id, "reference")
