"""Capture: one worker thread per station reads its camera into a drop-oldest frame queue."""

from __future__ import annotations

from service.capture.clock import Clock, SystemClock
from service.capture.drop_queue import DropOldestQueue
from service.capture.messages import DROP_REASONS, CameraEvent, CaptureStatus, DropReason, Frame
from service.capture.source import FrameSource, OpenCVSource, SourceFactory, opencv_source
from service.capture.worker import CaptureWorker, EventCallback

__all__ = [
    "DROP_REASONS",
    "CameraEvent",
    "CaptureStatus",
    "CaptureWorker",
    "Clock",
    "DropOldestQueue",
    "DropReason",
    "EventCallback",
    "Frame",
    "FrameSource",
    "OpenCVSource",
    "SourceFactory",
    "SystemClock",
    "opencv_source",
]
