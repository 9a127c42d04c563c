"""The one place the pipeline raises alarms: snapshots, then the store, then the live feed.

The order is the guarantee. Snapshots are written first so the stored record can point at them;
the record is committed before anything is published, so whoever hears of an alarm (an operator's
screen, a later ``GET /api/alarms``) can always read it back. A snapshot that cannot be written
is logged and left out: an alarm decided is never lost for want of a picture.

A bar alarm also gets an explanation heatmap of its crop (``heatmap``: a callable from the lift
and the crop to a BGR picture, the Dist-CAM overlay of ``service.inference.heatmap``), computed
here, only when an alarm is raised, never per frame. Whatever goes wrong computing it (any
exception) is logged and the alarm goes out without it.
"""

from __future__ import annotations

import logging
import math
import threading
import uuid
from collections.abc import Callable, Mapping

import cv2
import numpy as np

from service.alarms.bus import AlarmBus, AlarmEvent, EventKind
from service.alarms.rule import PassageVerdict
from service.alarms.snapshots import SnapshotKind, SnapshotStore
from service.alarms.store import AlarmStore
from service.alarms.types import AlarmRecord, DetailValue, NewAlarm
from service.capture.messages import CameraEvent

logger = logging.getLogger(__name__)

HeatmapRenderer = Callable[[str, np.ndarray], np.ndarray]
"""(lift, registered crop BGR) → the heatmap picture to save (BGR uint8)."""


def finite(value: float) -> float | None:
    """``value``, or ``None`` when it is NaN or infinite (JSON details cannot hold those)."""
    return value if math.isfinite(value) else None


def bar_details(verdict: PassageVerdict, departure_frame: int) -> dict[str, DetailValue]:
    """What a ``bar_open_at_departure`` alarm records of the verdict that raised it."""
    decision = verdict.departure_decision
    return {
        "departure_frame": departure_frame,
        "open_frames": verdict.open_frames,
        "judged_frames": verdict.judged_frames,
        "mean_margin": finite(verdict.mean_margin),
        "open_share": finite(verdict.open_share),
        "decision_frame": None if decision is None else decision.frame,
        "margin": None if decision is None else finite(decision.margin),
        "model": None if decision is None else decision.model,
    }


class AlarmRaiser:
    """Raises and clears alarms for every station thread (thread-safe).

    ``station_lifts`` maps station ids to their lifts, for the alarms that a station raises
    without naming its lift (``camera_offline``).
    """

    def __init__(
        self,
        store: AlarmStore,
        snapshots: SnapshotStore,
        bus: AlarmBus,
        station_lifts: Mapping[str, str] | None = None,
        heatmap: HeatmapRenderer | None = None,
    ) -> None:
        self.store = store
        self.snapshots = snapshots
        self.bus = bus
        self.heatmap = heatmap
        """Draws a bar alarm's explanation heatmap; ``None``: no heatmap snapshot."""
        self.station_lifts = dict(station_lifts or {})
        self._camera_lock = threading.Lock()
        """Serialises the check-then-raise of ``camera_offline`` (one open alarm per station)."""

    def bar_open(
        self,
        station_id: str,
        lift: str,
        verdict: PassageVerdict,
        passage: int,
        departure_frame: int,
        crop: np.ndarray | None,
        frame: np.ndarray | None,
        at: float,
    ) -> AlarmRecord:
        """Raise ``bar_open_at_departure`` for a passage whose verdict is an alarm.

        Snapshots first (crop, frame, heatmap; best effort), then the committed record, then
        ``new`` on the bus.
        Raises ``ValueError`` if the verdict is no alarm, and :class:`AlarmStoreError` if the
        database fails (the alarm is then logged in full, as a last trace).
        """
        if not verdict.alarm:
            raise ValueError(f"passage {passage} of {station_id}: the verdict is not an alarm")
        alarm_id = uuid.uuid4().hex
        crop_path = self._snapshot(alarm_id, station_id, "crop", crop)
        frame_path = self._snapshot(alarm_id, station_id, "frame", frame)
        heatmap_path = self._heatmap(alarm_id, station_id, lift, crop)
        alarm = NewAlarm(
            type="bar_open_at_departure",
            station_id=station_id,
            lift=lift,
            raised_at=at,
            passage=passage,
            frame=departure_frame,
            details=bar_details(verdict, departure_frame),
        )
        record = self._store(alarm, crop_path, frame_path, alarm_id, heatmap_path)
        logger.warning(
            "ALARM bar open at departure: station %s, lift %s, passage %d, frame %d (%s)",
            station_id,
            lift,
            passage,
            departure_frame,
            alarm_id,
        )
        self._publish("new", record)
        return record

    def camera_event(self, event: CameraEvent) -> AlarmRecord | None:
        """Raise or clear a station's ``camera_offline`` alarm; the record concerned, if any.

        ``raised`` stores a new alarm unless one is already open for the station (then that one
        is returned and nothing is published); ``cleared`` clears it and publishes ``end``.
        """
        with self._camera_lock:
            if event.state == "raised":
                return self._camera_offline(event)
            return self._camera_back(event)

    def _camera_offline(self, event: CameraEvent) -> AlarmRecord:
        existing = self.store.open_alarm(event.station_id, "camera_offline")
        if existing is not None:
            logger.info("camera_offline of %s already open (%s)", event.station_id, existing.id)
            return existing
        lift = self.station_lifts.get(event.station_id)
        if lift is None:
            logger.warning("camera_offline of %s: its lift is unknown", event.station_id)
        alarm = NewAlarm(
            type="camera_offline",
            station_id=event.station_id,
            lift=lift,
            raised_at=event.timestamp,
            details={"offline_for_s": finite(event.offline_for_s), "reason": event.reason},
        )
        record = self._store(alarm, None, None, uuid.uuid4().hex)
        logger.warning(
            "ALARM camera offline: station %s for %.1f s (%s)",
            event.station_id,
            event.offline_for_s,
            event.reason or "no frame",
        )
        self._publish("new", record)
        return record

    def _camera_back(self, event: CameraEvent) -> AlarmRecord | None:
        existing = self.store.open_alarm(event.station_id, "camera_offline")
        cleared = self.store.clear(event.station_id, "camera_offline", event.timestamp)
        if existing is None:
            logger.info("camera of %s back, no camera_offline alarm was open", event.station_id)
            return None
        if cleared > 1:
            logger.warning("%d camera_offline alarms of %s cleared", cleared, event.station_id)
        record = self.store.get(existing.id)
        if record is None:  # deleted meanwhile by someone else: nothing left to announce
            return None
        logger.info("camera of %s back after %.1f s", event.station_id, event.offline_for_s)
        self._publish("end", record)
        return record

    def _snapshot(
        self, alarm_id: str, station_id: str, kind: SnapshotKind, image: np.ndarray | None
    ) -> str | None:
        """Write one snapshot; its relative path, or ``None`` (no image, or writing failed)."""
        if image is None:
            return None
        try:
            return self.snapshots.write(alarm_id, station_id, kind, image)
        except (OSError, ValueError, cv2.error):
            logger.exception("alarm %s of %s: %s snapshot not saved", alarm_id, station_id, kind)
            return None

    def _heatmap(
        self, alarm_id: str, station_id: str, lift: str, crop: np.ndarray | None
    ) -> str | None:
        """Draw and write the crop's heatmap; its relative path, or ``None`` (never raises)."""
        if crop is None or self.heatmap is None:
            return None
        try:
            picture = self.heatmap(lift, crop)
        except Exception:  # an explanation must never cost the alarm
            logger.exception("alarm %s of %s: heatmap not computed", alarm_id, station_id)
            return None
        return self._snapshot(alarm_id, station_id, "heatmap", picture)

    def _store(
        self,
        alarm: NewAlarm,
        crop: str | None,
        frame: str | None,
        alarm_id: str,
        heatmap: str | None = None,
    ) -> AlarmRecord:
        try:
            return self.store.add(alarm, crop, frame, alarm_id, heatmap)
        except Exception:
            logger.critical("alarm %s NOT STORED: %r", alarm_id, alarm)
            raise

    def _publish(self, kind: EventKind, record: AlarmRecord) -> None:
        delivered = self.bus.publish(AlarmEvent(kind, record))
        logger.debug("alarm %s: %s sent to %d subscriber(s)", record.id, kind, delivered)
