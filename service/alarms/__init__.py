"""Alarms: the per-passage rule, the durable alarm store, snapshots and the live feed.

The pipeline judges each passage with :func:`judge_passage` and hands alarms to one
:class:`AlarmRaiser`, which writes the snapshots, commits the record to the :class:`AlarmStore`
and only then publishes it on the :class:`AlarmBus` (the SSE feed subscribes there).
"""

from __future__ import annotations

from service.alarms.bus import (
    AlarmBus,
    AlarmEvent,
    EventKind,
    Subscription,
    SubscriptionClosedError,
)
from service.alarms.deliveries import (
    DeliveryRecord,
    DeliveryStatus,
    OutputHealth,
    OutputKind,
)
from service.alarms.engine import AlarmStoreError
from service.alarms.raiser import AlarmRaiser
from service.alarms.rule import PassageVerdict, judge_passage
from service.alarms.snapshots import SnapshotKind, SnapshotStore
from service.alarms.store import AlarmStore, Page
from service.alarms.types import ALARM_TYPES, AlarmRecord, AlarmType, Details, NewAlarm

__all__ = [
    "ALARM_TYPES",
    "AlarmBus",
    "AlarmEvent",
    "AlarmRaiser",
    "AlarmRecord",
    "AlarmStore",
    "AlarmStoreError",
    "AlarmType",
    "DeliveryRecord",
    "DeliveryStatus",
    "Details",
    "EventKind",
    "NewAlarm",
    "OutputHealth",
    "OutputKind",
    "Page",
    "PassageVerdict",
    "SnapshotKind",
    "SnapshotStore",
    "Subscription",
    "SubscriptionClosedError",
    "judge_passage",
]
