"""``/api/lifts``: create and list lifts, upload and read their masks, check a crop with them.

Reading needs the viewer role; creating lifts, uploading masks and classifying need operator.
Lift ids are checked against the slug pattern before anything else sees them. An upload is
checked (PNG or JPEG, at most ``MAX_SIDE`` pixels a side, binarised, some bar but not the whole
frame, resized to the crop), stored with the previous version kept, and swapped into the
running classifier: every station of the lift judges its next frames with it.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, File, Path, Query, UploadFile, status
from fastapi.responses import Response

from service.api.deps import LiftsDep, OperatorDep, ViewerDep
from service.api.errors import ApiError, invalid, not_found
from service.api.schemas.errors import AUTH_RESPONSES, NOT_FOUND, ErrorResponse
from service.api.schemas.lifts import (
    LIFT_PREFIX,
    Classification,
    Distances,
    Lift,
    LiftCreate,
    LiftList,
    MaskPairUpload,
    MaskUpload,
)
from service.config.types import SLUG_PATTERN
from service.lifts import (
    MAX_SIDE,
    ClassifierUnavailableError,
    ImageProblemError,
    LiftExistsError,
    LiftService,
    MaskState,
    NoMasksError,
    NotLiveError,
    Upload,
    decode_image,
    encode,
    overlay,
    prepare_mask,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix=LIFT_PREFIX, tags=["lifts"], responses=AUTH_RESPONSES)

LiftId = Annotated[
    str,
    Path(
        pattern=SLUG_PATTERN,
        description="The lift's id: a slug (lower-case letters, digits, '-', '_').",
        examples=["lift-07"],
    ),
]
StatePath = Annotated[MaskState, Path(description="Which mask: open or closed.")]
UploadField = Annotated[
    UploadFile,
    File(description=f"A PNG or JPEG image, at most {MAX_SIDE}×{MAX_SIDE} pixels."),
]
Responses = dict[int | str, dict[str, Any]]
PNG: Responses = {200: {"content": {"image/png": {}}, "description": "A PNG image."}}
CONFLICT: Responses = {409: {"model": ErrorResponse, "description": "The lift cannot do this yet."}}


def _known(lifts: LiftService, lift: str) -> None:
    if not lifts.known(lift):
        raise not_found(f"no lift {lift}: create it with POST {LIFT_PREFIX}")


def _lift(lifts: LiftService, lift: str) -> Lift:
    info = lifts.repository.info(lift)
    return Lift.of(info, lifts.stations_of(lift), lifts.live_version(lift))


def _read(upload: UploadFile, field: str, grey: bool) -> np.ndarray:
    data = upload.file.read()
    try:
        return decode_image(data, grey)
    except ImageProblemError as exc:
        raise invalid(field, str(exc), "body") from None


def _png(image: np.ndarray) -> Response:
    return Response(
        encode(image, ".png"), media_type="image/png", headers={"Cache-Control": "no-cache"}
    )


@router.post(
    "", response_model=Lift, status_code=status.HTTP_201_CREATED, summary="Create a lift",
    responses={409: {"model": ErrorResponse, "description": "The lift exists already."}},
)  # fmt: skip
def create_lift(body: LiftCreate, lifts: LiftsDep, _: OperatorDep) -> Lift:
    """A lift folder in the data directory; then upload its two masks."""
    try:
        lifts.repository.create(body.id, body.name)
    except LiftExistsError as exc:
        raise ApiError(status.HTTP_409_CONFLICT, "conflict", str(exc)) from None
    return _lift(lifts, body.id)


@router.get("", response_model=LiftList, summary="List lifts, their stations and masks")
def list_lifts(lifts: LiftsDep, _: ViewerDep) -> LiftList:
    return LiftList(items=[_lift(lifts, lift) for lift in lifts.ids()])


@router.get("/{lift}", response_model=Lift, summary="One lift", responses=NOT_FOUND)
def get_lift(lift: LiftId, lifts: LiftsDep, _: ViewerDep) -> Lift:
    _known(lifts, lift)
    return _lift(lifts, lift)


TOO_LARGE: Responses = {413: {"model": ErrorResponse, "description": "The body is too large."}}


def _prepare(lifts: LiftService, lift: str, field: str, upload: UploadFile) -> np.ndarray:
    try:
        return prepare_mask(_read(upload, field, grey=True), lifts.crop_size(lift))
    except ImageProblemError as exc:
        raise invalid(field, str(exc), "body") from None


def _store(lifts: LiftService, lift: str, masks: dict[MaskState, np.ndarray], field: str) -> Upload:
    try:
        return lifts.upload(lift, masks)
    except ImageProblemError as exc:
        raise invalid(field, str(exc), "body") from None
    except NotLiveError as exc:
        raise ApiError(status.HTTP_503_SERVICE_UNAVAILABLE, "unavailable", str(exc)) from None


@router.put(
    "/{lift}/masks/{state}", response_model=MaskUpload, summary="Upload a mask, live at once",
    responses={**NOT_FOUND, **TOO_LARGE},
)  # fmt: skip
def put_mask(
    lift: LiftId, state: StatePath, file: UploadField, lifts: LiftsDep, _: OperatorDep
) -> MaskUpload:
    """The bar drawn white on black in the registered crop's coordinates. It is binarised at
    127, resized to the crop (nearest), and refused when empty or all white, or when it would
    equal the lift's other mask. The previous version is kept; when the lift has both masks and
    a pipeline runs, they are re-embedded and every station of the lift judges with them from
    its next batch (``embedded``)."""
    _known(lifts, lift)
    upload = _store(lifts, lift, {state: _prepare(lifts, lift, "file", file)}, "file")
    version = upload.masks[state].version
    return MaskUpload(lift=lift, state=state, version=version, embedded=upload.embedded)


@router.put(
    "/{lift}/masks", response_model=MaskPairUpload, summary="Upload both masks at once",
    responses={**NOT_FOUND, **TOO_LARGE},
)  # fmt: skip
def put_masks(
    lift: LiftId,
    open_file: Annotated[UploadFile, File(alias="open", description="The open mask.")],
    closed_file: Annotated[UploadFile, File(alias="closed", description="The closed mask.")],
    lifts: LiftsDep,
    _: OperatorDep,
) -> MaskPairUpload:
    """Both masks, checked as one upload each, stored and swapped in together: for a new lift,
    or to exchange two masks uploaded the wrong way round."""
    _known(lifts, lift)
    masks: dict[MaskState, np.ndarray] = {
        "open": _prepare(lifts, lift, "open", open_file),
        "closed": _prepare(lifts, lift, "closed", closed_file),
    }
    upload = _store(lifts, lift, masks, "open")
    versions = {s: info.version for s, info in upload.masks.items()}
    return MaskPairUpload(lift=lift, versions=versions, embedded=upload.embedded)


@router.get(
    "/{lift}/masks/{state}", response_class=Response, summary="A mask, or it over the reference",
    responses={**PNG, **NOT_FOUND, **CONFLICT},
)  # fmt: skip
def get_mask(
    lift: LiftId,
    state: StatePath,
    lifts: LiftsDep,
    _: ViewerDep,
    overlay_: Annotated[
        bool,
        Query(
            alias="overlay",
            description="Draw the mask in translucent orange over a station's registered "
            "reference frame (the image masks are drawn on).",
        ),
    ] = False,
    station: Annotated[
        str | None,
        Query(pattern=SLUG_PATTERN, description="Whose reference (default: the lift's first)."),
    ] = None,
) -> Response:
    _known(lifts, lift)
    mask = lifts.repository.read_mask(lift, state)
    if mask is None:
        raise not_found(f"lift {lift} has no {state} mask")
    if not overlay_:
        return _png(mask)
    stations = lifts.stations_of(lift)
    if station is not None and station not in stations:
        raise not_found(f"no running station {station} films lift {lift}")
    if not stations:
        raise ApiError(
            status.HTTP_409_CONFLICT,
            "conflict",
            f"no station of lift {lift} runs here: there is no reference to draw the mask on",
        )
    return _png(overlay(lifts.reference_crop(station or stations[0]), mask))


@router.post(
    "/{lift}/classify", response_model=Classification, summary="Judge a registered crop",
    responses={**NOT_FOUND, **CONFLICT},
)  # fmt: skip
def classify(lift: LiftId, file: UploadField, lifts: LiftsDep, _: OperatorDep) -> Classification:
    """The bar state of a registered crop (as ``registered.jpg`` of a station gives it) with
    the lift's current masks: check new masks on known frames before trusting them."""
    _known(lifts, lift)
    crop = _read(file, "file", grey=False)
    try:
        decision = lifts.classify(lift, crop)
    except NoMasksError as exc:
        raise ApiError(status.HTTP_409_CONFLICT, "conflict", str(exc)) from None
    except ClassifierUnavailableError as exc:
        raise ApiError(status.HTTP_503_SERVICE_UNAVAILABLE, "unavailable", str(exc)) from None
    return Classification(
        lift=lift,
        state=decision.state,
        distances=Distances(open=decision.d_open, closed=decision.d_closed),
        margin=decision.margin,
        model=decision.model,
    )
