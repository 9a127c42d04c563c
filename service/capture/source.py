"""Frame sources: the small interface the capture worker reads, and its OpenCV implementation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

import cv2
import numpy as np

from service.config import SourceKind, StationConfig


class FrameSource(Protocol):
    """A camera or video the worker opens, reads frame by frame and releases.

    The worker calls these from a helper thread of its own, one call at a time.
    """

    def open(self) -> bool:
        """Connect; return whether frames can now be read."""
        ...

    def read(self) -> tuple[bool, np.ndarray | None]:
        """The next frame, as ``cv2.VideoCapture.read`` gives it: ``(False, None)`` at the end
        or on error."""
        ...

    def release(self) -> None:
        """Disconnect; the source may be opened again afterwards."""
        ...


SourceFactory = Callable[[StationConfig], FrameSource]
"""Makes a fresh, unopened source for a station (called again for each reconnection)."""

_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@")


def describe_source(source: int | str) -> str:
    """The source for logs, with any ``user:password@`` of a URL hidden."""
    if isinstance(source, int):
        return f"camera {source}"
    return _USERINFO.sub(r"\1***@", source)


class OpenCVSource:
    """A ``cv2.VideoCapture`` on a video file, an RTSP or HTTP(S) MJPEG URL, or a camera index."""

    def __init__(
        self, target: int | str, kind: SourceKind, open_timeout_s: float, read_timeout_s: float
    ) -> None:
        self.target = target
        self.kind = kind
        self.open_timeout_ms = round(open_timeout_s * 1000)
        self.read_timeout_ms = round(read_timeout_s * 1000)
        self._capture: cv2.VideoCapture | None = None

    def open(self) -> bool:
        self.release()
        if self.kind in ("rtsp", "http"):
            params = [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                self.open_timeout_ms,
                cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                self.read_timeout_ms,
            ]
            capture = cv2.VideoCapture(self.target, cv2.CAP_FFMPEG, params)
        else:
            capture = cv2.VideoCapture(self.target)
        if not capture.isOpened():
            capture.release()
            return False
        self._capture = capture
        return True

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self._capture is None:
            return False, None
        ok, image = self._capture.read()
        return bool(ok), image if ok else None

    def release(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()


def opencv_source(config: StationConfig) -> OpenCVSource:
    """The default :data:`SourceFactory`: an OpenCV capture of the config's ``source``."""
    settings = config.capture
    return OpenCVSource(
        config.source, config.source_kind, settings.open_timeout_s, settings.stall_timeout_s
    )
