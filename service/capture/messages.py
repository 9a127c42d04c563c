"""What the capture stage hands on: frames, camera events and a worker's status (all frozen)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

DropReason = Literal["queue_full", "corrupt", "pace"]
DROP_REASONS: tuple[DropReason, ...] = ("queue_full", "corrupt", "pace")

CaptureState = Literal["starting", "connecting", "connected", "waiting", "finished", "stopped"]
"""``waiting``: backing off before reopening a failed source; ``finished``: a file ended with
``loop: false``."""


@dataclass(frozen=True, eq=False)
class Frame:
    """One good frame of a station, as BGR ``uint8`` (H, W, 3), read-only."""

    station_id: str
    index: int
    """This worker's frame number: 0, 1, 2, ... never reset, not even by a reconnect."""
    timestamp: float
    """Wall-clock seconds (``time.time()``) when the frame was read."""
    image: np.ndarray
    source_index: int = 0
    """Position in the source since it was opened: a video file's frame index."""
    session: int = 0
    """How many times the source had been opened: it changes on a reconnect or a file loop, where
    consecutive frames are not consecutive in the scene."""


@dataclass(frozen=True)
class CameraEvent:
    """``camera_offline`` raised when a station has had no good frame for too long, and cleared
    when frames flow again (each once per outage)."""

    station_id: str
    kind: Literal["camera_offline"]
    state: Literal["raised", "cleared"]
    timestamp: float
    """Wall-clock seconds of the event."""
    offline_for_s: float
    """Seconds since the last good frame (or since the worker started)."""
    reason: str | None = None
    """The last capture failure, when there was one."""


@dataclass(frozen=True)
class CaptureStatus:
    """A snapshot of one capture worker, safe to read from any thread."""

    station_id: str
    state: CaptureState
    connected: bool
    frames: int
    """Frames put on the queue so far."""
    last_frame_time: float | None
    """Wall-clock seconds of the last good frame; ``None`` before the first."""
    fps: float
    """Frames put on the queue per second, measured over the last few seconds."""
    reconnects: int
    """Reopenings of the source after a failure (a file loop is not one)."""
    drops: Mapping[DropReason, int]
    offline: bool
    last_error: str | None
