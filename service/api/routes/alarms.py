"""``/api/alarms``: list (filters, cursor pages), one alarm, its snapshots, acknowledge, live feed.

Reading needs the viewer role, acknowledging the operator role. Alarm ids are checked against
their pattern (32 lower-case hex digits) before anything else sees them, and snapshot files are
only ever found through :meth:`SnapshotStore.path`, which refuses any path outside its root.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import FileResponse, StreamingResponse

from service.alarms import AlarmEvent, AlarmRecord, AlarmStore, AlarmType, SnapshotKind
from service.alarms.cursor import ALARM_ID_PATTERN, decode_cursor
from service.alarms.store import MAX_LIMIT
from service.api import sse
from service.api.deps import (
    BusDep,
    OperatorDep,
    ServicesDep,
    SettingsDep,
    SnapshotsDep,
    StoreDep,
    ViewerDep,
)
from service.api.errors import invalid, not_found
from service.api.schemas.alarms import (
    ALARM_PREFIX,
    EXAMPLE_ID,
    AckRequest,
    Alarm,
    AlarmDetail,
    AlarmPage,
)
from service.api.schemas.errors import AUTH_RESPONSES, NOT_FOUND
from service.api.timestamps import parse_instant

logger = logging.getLogger(__name__)

router = APIRouter(prefix=ALARM_PREFIX, tags=["alarms"], responses=AUTH_RESPONSES)

AlarmId = Annotated[
    str,
    Path(
        pattern=f"^{ALARM_ID_PATTERN.pattern}$",
        description="The alarm's id: 32 lower-case hex digits.",
        examples=[EXAMPLE_ID],
    ),
]
TIME_HELP = "ISO 8601 (a time without offset is UTC) or epoch seconds"


def _instant(field: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise invalid(field, str(exc)) from None


@router.get("", response_model=AlarmPage, summary="List alarms, newest first")
def list_alarms(
    store: StoreDep,
    _: ViewerDep,
    station: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Only this station's alarms.")
    ] = None,
    lift: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Only this lift's alarms.")
    ] = None,
    type: Annotated[AlarmType | None, Query(description="Only alarms of this type.")] = None,
    acknowledged: Annotated[
        bool | None, Query(description="true: acknowledged only; false: unacknowledged only.")
    ] = None,
    since: Annotated[
        str | None, Query(max_length=64, description=f"Raised at or after: {TIME_HELP}.")
    ] = None,
    until: Annotated[
        str | None, Query(max_length=64, description=f"Raised before: {TIME_HELP}.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=256, description="next_cursor of the previous page.")
    ] = None,
) -> AlarmPage:
    start, end = _instant("since", since), _instant("until", until)
    if start is not None and end is not None and end < start:
        raise invalid("until", "must not be before since")
    if cursor is not None:
        try:
            decode_cursor(cursor)
        except ValueError as exc:
            raise invalid("cursor", str(exc)) from None
    items, next_cursor = store.list(station, lift, type, acknowledged, start, end, limit, cursor)
    return AlarmPage(items=[Alarm.from_record(r) for r in items], next_cursor=next_cursor)


# Declared before /{alarm_id}, so that "stream" is never taken for an id.
@router.get(
    "/stream",
    response_class=StreamingResponse,
    summary="Live feed of alarm events (Server-Sent Events)",
    responses={200: {"content": {sse.MEDIA_TYPE: {}}, "description": sse.__doc__}},
)
async def stream(
    _: ViewerDep, bus: BusDep, services: ServicesDep, settings: SettingsDep
) -> StreamingResponse:
    events = sse.alarm_events(bus, services.shutdown, settings.sse_heartbeat_s)
    return StreamingResponse(events, media_type=sse.MEDIA_TYPE, headers=sse.HEADERS)


def _alarm(store: AlarmStore, alarm_id: str) -> AlarmRecord:
    record = store.get(alarm_id)
    if record is None:
        raise not_found(f"no alarm {alarm_id}")
    return record


@router.get(
    "/{alarm_id}", response_model=AlarmDetail,
    summary="One alarm, with its snapshot links and its deliveries to the station's outputs",
    responses=NOT_FOUND,
)  # fmt: skip
def get_alarm(alarm_id: AlarmId, store: StoreDep, _: ViewerDep) -> AlarmDetail:
    return AlarmDetail.of(_alarm(store, alarm_id), store.deliveries(alarm_id))


@router.get(
    "/{alarm_id}/snapshots/{kind}",
    response_class=FileResponse,
    summary="An alarm's registered crop, full frame or heatmap (JPEG)",
    responses={200: {"content": {"image/jpeg": {}}}, **NOT_FOUND},
)
def get_snapshot(
    alarm_id: AlarmId, kind: SnapshotKind, store: StoreDep, snapshots: SnapshotsDep, _: ViewerDep
) -> FileResponse:
    record = _alarm(store, alarm_id)
    relative = {
        "crop": record.crop_snapshot,
        "frame": record.frame_snapshot,
        "heatmap": record.heatmap_snapshot,
    }[kind]
    if relative is None:
        raise not_found(f"alarm {alarm_id} has no {kind} snapshot")
    try:
        path = snapshots.path(relative)
    except ValueError:
        logger.warning("alarm %s: stored %s snapshot path %r refused", alarm_id, kind, relative)
        raise not_found(f"alarm {alarm_id} has no {kind} snapshot") from None
    if not path.is_file():
        raise not_found(f"the {kind} snapshot of alarm {alarm_id} is missing")
    return FileResponse(
        path,
        media_type="image/jpeg",
        headers={"Cache-Control": "private, max-age=86400, immutable"},
    )


@router.post(
    "/{alarm_id}/ack", response_model=Alarm, summary="Acknowledge an alarm (idempotent)",
    responses=NOT_FOUND,
)  # fmt: skip
def acknowledge(
    alarm_id: AlarmId,
    who: OperatorDep,
    store: StoreDep,
    bus: BusDep,
    services: ServicesDep,
    body: Annotated[AckRequest | None, Body()] = None,
) -> Alarm:
    """Record who (the key's name) acknowledged the alarm, when, and an optional note, and
    announce it on the live feed (``update``). Acknowledging again changes nothing."""
    at = services.clock()
    note = body.note if body is not None else None
    record = store.acknowledge(alarm_id, who.name, note, at)
    if record is None:
        raise not_found(f"no alarm {alarm_id}")
    if record.acknowledged_at == at and record.acknowledged_by == who.name:
        bus.publish(AlarmEvent("update", record))
    return Alarm.from_record(record)
