"""Deliveries of alarm events to a station's outputs (webhook, MQTT): one row per alarm, output
and event in ``alarm_deliveries``, written by :mod:`service.outputs` and read by the API.

A delivery is ``pending`` from the moment its event is handed to the output until a receiver
accepts it (``delivered``) or the retries run out (``failed``, with the last error). The
statements live here; :class:`~service.alarms.store.AlarmStore` runs them in its transactions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal, cast, get_args

from sqlalchemy import Connection, RowMapping, and_, func, insert, select, update

from service.alarms.bus import EventKind
from service.alarms.schema import alarm_deliveries

OutputKind = Literal["webhook", "mqtt"]
OUTPUT_KINDS: tuple[OutputKind, ...] = get_args(OutputKind)
DeliveryStatus = Literal["pending", "delivered", "failed"]
DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = get_args(DeliveryStatus)
MAX_ERROR_CHARS = 500
FAILING_FOR_S = 3600.0
"""How long an output counts as failing after its newest delivery failed (unless a newer one
is delivered first): long enough to be seen and alerted on, short enough that an output
removed from the configs stops counting."""


@dataclass(frozen=True)
class DeliveryRecord:
    """Where one alarm event stands with one output of its station."""

    alarm_id: str
    output: OutputKind
    event: EventKind
    station_id: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    created_at: float
    """Wall-clock seconds the event was handed to the output (the retries' age counts from it)."""
    updated_at: float

    def __post_init__(self) -> None:
        if self.output not in OUTPUT_KINDS:
            raise ValueError(f"unknown output {self.output!r}; expected one of {OUTPUT_KINDS}")
        if self.status not in DELIVERY_STATUSES:
            raise ValueError(f"unknown status {self.status!r}; expected {DELIVERY_STATUSES}")
        if self.last_error is not None and len(self.last_error) > MAX_ERROR_CHARS:
            object.__setattr__(self, "last_error", self.last_error[: MAX_ERROR_CHARS - 1] + "…")


@dataclass
class OutputHealth:
    """One station output's deliveries, for metrics: counts by status, attempts, failing."""

    station_id: str
    output: str
    counts: dict[str, int] = field(default_factory=dict)
    attempts: int = 0
    failing: bool = False
    """Its newest delivery is being retried after a failed attempt, or failed within the last
    ``FAILING_FOR_S`` seconds."""


def record_from_row(row: RowMapping) -> DeliveryRecord:
    return DeliveryRecord(
        alarm_id=row["alarm_id"],
        output=cast(OutputKind, row["output"]),
        event=cast(EventKind, row["event"]),
        station_id=row["station_id"],
        status=cast(DeliveryStatus, row["status"]),
        attempts=int(row["attempts"]),
        last_error=row["last_error"],
        created_at=float(row["created_at"]),
        updated_at=float(row["updated_at"]),
    )


def save(conn: Connection, record: DeliveryRecord) -> None:
    """Insert ``record``, or overwrite the row of its alarm, output and event."""
    table = alarm_deliveries.c
    key = and_(
        table.alarm_id == record.alarm_id,
        table.output == record.output,
        table.event == record.event,
    )
    values = {
        "station_id": record.station_id,
        "status": record.status,
        "attempts": record.attempts,
        "last_error": record.last_error,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }
    if not conn.execute(update(alarm_deliveries).where(key).values(values)).rowcount:
        row = {"alarm_id": record.alarm_id, "output": record.output, "event": record.event}
        conn.execute(insert(alarm_deliveries).values({**row, **values}))


def of_alarm(conn: Connection, alarm_id: str) -> list[DeliveryRecord]:
    """The deliveries of one alarm, oldest event first."""
    c = alarm_deliveries.c
    query = select(alarm_deliveries).where(c.alarm_id == alarm_id).order_by(c.created_at, c.output)
    return [record_from_row(row) for row in conn.execute(query).mappings()]


def with_status(conn: Connection, status: DeliveryStatus) -> list[DeliveryRecord]:
    """Every delivery in ``status``, oldest first."""
    c = alarm_deliveries.c
    query = select(alarm_deliveries).where(c.status == status).order_by(c.created_at, c.alarm_id)
    return [record_from_row(row) for row in conn.execute(query).mappings()]


def health(conn: Connection, now: float) -> list[OutputHealth]:
    """Per station and output: deliveries by status, attempts made, and whether it is failing
    (see :attr:`OutputHealth.failing`; ``now`` is the wall-clock time)."""
    c = alarm_deliveries.c
    found: dict[tuple[str, str], OutputHealth] = {}

    def entry(station: str, output: str) -> OutputHealth:
        return found.setdefault((station, output), OutputHealth(station, output))

    counts = select(c.station_id, c.output, c.status, func.count(), func.sum(c.attempts))
    for station, output, status, n, attempts in conn.execute(
        counts.group_by(c.station_id, c.output, c.status)
    ):
        item = entry(str(station), str(output))
        item.counts[str(status)] = int(n)
        item.attempts += int(attempts or 0)
    newest = (
        select(c.station_id, c.output, func.max(c.updated_at).label("at"))
        .group_by(c.station_id, c.output)
        .subquery()
    )
    latest = select(c.station_id, c.output, c.status, c.last_error, c.updated_at).join(
        newest,
        and_(
            c.station_id == newest.c.station_id,
            c.output == newest.c.output,
            c.updated_at == newest.c.at,
        ),
    )
    failing: defaultdict[tuple[str, str], bool] = defaultdict(bool)
    for station, output, status, error, at in conn.execute(latest):
        retrying = status == "pending" and error is not None
        bad = retrying or (status == "failed" and now - float(at) <= FAILING_FOR_S)
        failing[(str(station), str(output))] |= bad
    for key, bad in failing.items():
        entry(*key).failing = bad
    return sorted(found.values(), key=lambda h: (h.station_id, h.output))
