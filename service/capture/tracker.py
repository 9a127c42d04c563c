"""A capture worker's counters, written by its thread and read as snapshots by any other."""

from __future__ import annotations

import threading
from collections import deque
from types import MappingProxyType

from service.capture.messages import DROP_REASONS, CaptureState, CaptureStatus, DropReason

FPS_WINDOW_S = 5.0
FPS_SAMPLES = 256


class StatusTracker:
    """Thread-safe state of one worker; its lock is its own (stations never wait on each other)."""

    def __init__(self, station_id: str) -> None:
        self.station_id = station_id
        self._lock = threading.Lock()
        self._state: CaptureState = "starting"
        self._connected = False
        self._frames = 0
        self._last_frame_time: float | None = None
        self._emits: deque[float] = deque(maxlen=FPS_SAMPLES)  # monotonic times
        self._reconnects = 0
        self._drops: dict[DropReason, int] = dict.fromkeys(DROP_REASONS, 0)
        self._offline = False
        self._last_error: str | None = None

    def set_state(self, state: CaptureState, connected: bool = False) -> None:
        with self._lock:
            self._state, self._connected = state, connected

    def failed(self, reason: str) -> None:
        with self._lock:
            self._last_error = reason

    def reconnecting(self) -> None:
        with self._lock:
            self._reconnects += 1

    def dropped(self, reason: DropReason) -> None:
        with self._lock:
            self._drops[reason] += 1

    def good_frame(self, wall_time: float) -> None:
        with self._lock:
            self._last_frame_time = wall_time

    def emitted(self, monotonic: float) -> None:
        with self._lock:
            self._frames += 1
            self._emits.append(monotonic)

    def set_offline(self, offline: bool) -> None:
        with self._lock:
            self._offline = offline

    def snapshot(self, now: float) -> CaptureStatus:
        """The status at monotonic time ``now``."""
        with self._lock:
            recent = [t for t in self._emits if t >= now - FPS_WINDOW_S]
            span = recent[-1] - recent[0] if len(recent) >= 2 else 0.0
            return CaptureStatus(
                station_id=self.station_id,
                state=self._state,
                connected=self._connected,
                frames=self._frames,
                last_frame_time=self._last_frame_time,
                fps=(len(recent) - 1) / span if span > 0 else 0.0,
                reconnects=self._reconnects,
                drops=MappingProxyType(dict(self._drops)),
                offline=self._offline,
                last_error=self._last_error,
            )
