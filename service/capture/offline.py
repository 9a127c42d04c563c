"""The ``camera_offline`` alarm of one station: raised once when no good frame has come for too
long, cleared once when frames flow again."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Literal

from service.capture.clock import Clock
from service.capture.messages import CameraEvent
from service.capture.tracker import StatusTracker

logger = logging.getLogger(__name__)

Transition = Literal["raised", "cleared"] | None


class OfflineMonitor:
    """When the alarm is due, raised or cleared; no clock, no side effects."""

    def __init__(self, after_s: float, now: float) -> None:
        self.after_s = after_s
        self.last_good = now
        self.raised = False

    def check(self, now: float) -> Transition:
        """``raised`` the first time ``after_s`` has passed without a good frame."""
        if not self.raised and now - self.last_good >= self.after_s:
            self.raised = True
            return "raised"
        return None

    def good_frame(self, now: float) -> Transition:
        """A good frame came at ``now``: ``cleared`` if the alarm was raised."""
        self.last_good = now
        if self.raised:
            self.raised = False
            return "cleared"
        return None

    def time_left(self, now: float) -> float:
        """Seconds until the alarm is due (infinite while it is raised)."""
        return math.inf if self.raised else max(0.0, self.last_good + self.after_s - now)


class OfflineAlarm:
    """A worker's :class:`OfflineMonitor` wired to its log, its status and its event callback."""

    def __init__(
        self,
        station_id: str,
        after_s: float,
        clock: Clock,
        tracker: StatusTracker,
        on_event: Callable[[CameraEvent], None] | None,
    ) -> None:
        self.station_id = station_id
        self.clock = clock
        self.tracker = tracker
        self.on_event = on_event
        self.monitor = OfflineMonitor(after_s, clock.monotonic())
        self.reason: str | None = None
        """The last capture failure, given with the event."""

    def restart(self) -> None:
        """Count from now (the worker starts)."""
        self.monitor = OfflineMonitor(self.monitor.after_s, self.clock.monotonic())

    def watch(self, now: float) -> float:
        """Raise the alarm if it is due; return the seconds until it is."""
        offline_for = now - self.monitor.last_good
        if self.monitor.check(now) == "raised":
            self._emit("raised", offline_for)
        return self.monitor.time_left(now)

    def good_frame(self) -> None:
        now = self.clock.monotonic()
        offline_for = now - self.monitor.last_good
        if self.monitor.good_frame(now) == "cleared":
            self._emit("cleared", offline_for)

    def _emit(self, state: Literal["raised", "cleared"], offline_for: float) -> None:
        self.tracker.set_offline(state == "raised")
        if state == "raised":
            logger.warning(
                "station %s: camera_offline raised: no good frame for %.1f s (%s)",
                self.station_id,
                offline_for,
                self.reason or "no frame yet",
            )
        else:
            logger.info(
                "station %s: camera_offline cleared after %.1f s", self.station_id, offline_for
            )
        if self.on_event is None:
            return
        event = CameraEvent(
            self.station_id, "camera_offline", state, self.clock.time(), offline_for, self.reason
        )
        try:
            self.on_event(event)
        except Exception:
            logger.exception("station %s: camera event handler failed", self.station_id)
