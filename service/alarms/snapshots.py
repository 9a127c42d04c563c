"""Alarm snapshots on disk: the registered crop, the full frame and the crop's explanation
heatmap (Dist-CAM overlay) of an alarm, as JPEG.

Files live at ``<root>/<station_id>/<alarm_id>_crop.jpg``, ``..._frame.jpg`` and
``..._heatmap.jpg``; the alarm store keeps the path relative to the root. Each file is written
to a temporary file, fsynced and renamed over its final name (then the folder is fsynced), so a
snapshot is either absent or whole, even after a power loss. Ids are checked against a strict
pattern and every path must resolve inside the root, so an id such as ``../x`` can never write
or serve a file elsewhere.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Literal, get_args

import cv2
import numpy as np

logger = logging.getLogger(__name__)

SnapshotKind = Literal["crop", "frame", "heatmap"]
SNAPSHOT_KINDS: tuple[SnapshotKind, ...] = get_args(SnapshotKind)
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
FILE_PATTERN = re.compile(r"(?P<alarm_id>.+)_(?P<kind>crop|frame|heatmap)\.jpg")
JPEG_QUALITY = 90


def check_id(value: str, what: str) -> str:
    """``value`` if it is a safe path component (``ID_PATTERN``, no ``..``); else ``ValueError``."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value) or ".." in value:
        raise ValueError(
            f"invalid {what} {value!r}: expected 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit, without '..'"
        )
    return value


def encode_jpeg(image: np.ndarray) -> bytes:
    """JPEG bytes (quality 90) of a ``uint8`` grey, BGR or BGRA image; ``ValueError`` if not one."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.size == 0:
        raise ValueError("a snapshot must be a non-empty uint8 numpy array")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
        raise ValueError(f"a snapshot must be (H, W) or (H, W, 1|3|4), got {image.shape}")
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError(f"OpenCV could not encode a {image.shape} image as JPEG")
    return buffer.tobytes()


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new entry in ``folder`` durable (POSIX; a no-op where unsupported)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a fsynced temporary file renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


class SnapshotStore:
    """The alarm snapshots under one root folder (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def save(
        self,
        alarm_id: str,
        station_id: str,
        crop: np.ndarray | None,
        frame: np.ndarray | None,
    ) -> tuple[str | None, str | None]:
        """Write the crop and the frame (each when given); their paths relative to the root.

        Raises ``ValueError`` for a bad id or image, ``OSError`` when writing fails; a crop
        already written stays. Use :meth:`write` to save each one apart, best effort.
        """
        crop_path = None if crop is None else self.write(alarm_id, station_id, "crop", crop)
        frame_path = None if frame is None else self.write(alarm_id, station_id, "frame", frame)
        return crop_path, frame_path

    def write(self, alarm_id: str, station_id: str, kind: SnapshotKind, image: np.ndarray) -> str:
        """Write one snapshot atomically and durably; its path relative to the root."""
        if kind not in SNAPSHOT_KINDS:
            raise ValueError(f"invalid snapshot kind {kind!r}; expected one of {SNAPSHOT_KINDS}")
        relative = f"{check_id(station_id, 'station id')}/{check_id(alarm_id, 'alarm id')}"
        relative = f"{relative}_{kind}.jpg"
        target = self._inside(relative)
        data = encode_jpeg(image)
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
            fsync_dir(target.parent.parent)
        write_atomic(target, data)
        logger.debug("snapshot %s written (%d bytes)", relative, len(data))
        return relative

    def path(self, relative: str) -> Path:
        """The absolute path of a stored relative path (``<station>/<id>_<kind>.jpg``).

        Raises ``ValueError`` when ``relative`` is not of that form with valid ids, or would
        resolve outside the root (a symlink out of it, say). The file itself may be missing.
        """
        parts = relative.split("/") if isinstance(relative, str) else []
        match = FILE_PATTERN.fullmatch(parts[1]) if len(parts) == 2 else None
        if match is None:
            raise ValueError(
                f"invalid snapshot path {relative!r}: expected <station_id>/<alarm_id>_<kind>.jpg "
                "with kind crop, frame or heatmap"
            )
        check_id(parts[0], "station id")
        check_id(match["alarm_id"], "alarm id")
        return self._inside(relative)

    def _inside(self, relative: str) -> Path:
        root = self.root.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root) or target == root:
            raise ValueError(f"snapshot path {relative!r} resolves outside {root}")
        return target
