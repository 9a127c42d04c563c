"""The lifts of the data directory and their masks, with every previous version kept.

Layout (the pipeline looks in ``masks/`` first, see :mod:`service.pipeline.lifts`)::

    <root>/<lift>/lift.json                       {"id", "name", "created_at"}
    <root>/<lift>/masks/open.png, closed.png      the current masks
    <root>/<lift>/masks/history/<state>-<UTC time>.png   each one they replaced

A lift may also have *seed* masks: the folder its masks were found in when the service started
(shipped beside the station configs). They are served until a mask is uploaded; the first upload
copies the other seed mask into the data directory, so that the folder the pipeline reads at the
next start always holds a matching pair. Lift ids must be slugs (``SLUG_PATTERN``): nothing
path-like ever reaches the file system. Files are written atomically (temporary file, fsync,
rename); writers are serialised by one lock.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

import cv2
import numpy as np

from service.alarms.snapshots import write_atomic
from service.config.types import SLUG_PATTERN
from service.lifts.images import encode

logger = logging.getLogger(__name__)

MaskState = Literal["open", "closed"]
MASK_STATES: tuple[MaskState, ...] = get_args(MaskState)
SLUG = re.compile(SLUG_PATTERN)
META_FILE = "lift.json"
MASKS = "masks"
HISTORY = "history"
MaskSource = Literal["uploaded", "shipped"]


class LiftError(ValueError):
    """A lift id that is not a slug, or a lift that cannot be created as asked."""


class LiftExistsError(LiftError):
    """``create`` of a lift that already has a folder."""


def check_lift_id(lift: str) -> str:
    """``lift`` if it is a slug; ``LiftError`` otherwise (never a path)."""
    if not isinstance(lift, str) or not SLUG.fullmatch(lift):
        raise LiftError(
            f"invalid lift id {lift!r}: use 1-64 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return lift


@dataclass(frozen=True)
class MaskInfo:
    """One of a lift's masks: whether it exists, its version and when it last changed."""

    state: MaskState
    path: Path | None
    """The file served and used (``None`` when there is none)."""
    version: int
    """1 for the first mask, +1 per upload; 0 when there is none (or a shipped one)."""
    updated_at: float | None
    """Wall-clock seconds of the file's last change."""
    source: MaskSource | None

    @property
    def exists(self) -> bool:
        return self.path is not None


@dataclass(frozen=True)
class LiftInfo:
    id: str
    name: str | None
    created_at: float | None
    masks: Mapping[MaskState, MaskInfo]


def history_name(state: MaskState, at: float) -> str:
    """``open-20260102T093000.123456Z.png``: sorts in time order."""
    stamp = datetime.fromtimestamp(at, UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{state}-{stamp}.png"


class LiftRepository:
    """Lift folders under ``root``; ``seeds`` maps lifts to folders of shipped masks."""

    def __init__(self, root: Path, seeds: Mapping[str, Path] | None = None) -> None:
        self.root = Path(root)
        self.seeds = {lift: Path(folder) for lift, folder in (seeds or {}).items()}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ paths

    def folder(self, lift: str) -> Path:
        return self.root / check_lift_id(lift)

    def masks_folder(self, lift: str) -> Path:
        return self.folder(lift) / MASKS

    def history_folder(self, lift: str) -> Path:
        return self.masks_folder(lift) / HISTORY

    # ------------------------------------------------------------------ lifts

    def exists(self, lift: str) -> bool:
        return self.folder(lift).is_dir()

    def ids(self) -> list[str]:
        """Lifts with a folder, sorted (folders whose name is no slug are ignored)."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and SLUG.fullmatch(p.name))

    def create(self, lift: str, name: str | None = None, at: float | None = None) -> LiftInfo:
        """A new lift folder; ``LiftExistsError`` when it has one already."""
        folder = self.folder(lift)
        with self._lock:
            if folder.exists():
                raise LiftExistsError(f"lift {lift!r} already exists")
            self._init(lift, name, time.time() if at is None else at)
        logger.info("lift %s created (%s)", lift, name or "no name")
        return self.info(lift)

    def _init(self, lift: str, name: str | None, at: float) -> None:
        self.history_folder(lift).mkdir(parents=True, exist_ok=True)
        meta = {"id": lift, "name": name, "created_at": at}
        write_atomic(self.folder(lift) / META_FILE, json.dumps(meta).encode())

    def _meta(self, lift: str) -> dict[str, object]:
        try:
            data = json.loads((self.folder(lift) / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def info(self, lift: str) -> LiftInfo:
        meta = self._meta(lift)
        name, created = meta.get("name"), meta.get("created_at")
        return LiftInfo(
            id=lift,
            name=name if isinstance(name, str) else None,
            created_at=float(created) if isinstance(created, int | float) else None,
            masks={state: self.mask_info(lift, state) for state in MASK_STATES},
        )

    # ------------------------------------------------------------------ masks

    def history(self, lift: str, state: MaskState) -> list[Path]:
        """The versions ``state`` had before the current one, oldest first."""
        folder = self.history_folder(lift)
        return sorted(folder.glob(f"{state}-*.png")) if folder.is_dir() else []

    def _seed(self, lift: str, state: MaskState) -> Path | None:
        folder = self.seeds.get(lift)
        path = None if folder is None else folder / f"{state}.png"
        return path if path is not None and path.is_file() else None

    def mask_info(self, lift: str, state: MaskState) -> MaskInfo:
        current = self.masks_folder(lift) / f"{state}.png"
        if current.is_file():
            version = len(self.history(lift, state)) + 1
            return MaskInfo(state, current, version, current.stat().st_mtime, "uploaded")
        seed = self._seed(lift, state)
        if seed is not None:
            return MaskInfo(state, seed, 0, seed.stat().st_mtime, "shipped")
        return MaskInfo(state, None, 0, None, None)

    def read_mask(self, lift: str, state: MaskState) -> np.ndarray | None:
        """The current ``state`` mask as stored (grey uint8), or ``None`` when there is none."""
        path = self.mask_info(lift, state).path
        if path is None:
            return None
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if image is None:
            logger.warning("lift %s: %s mask %s is not readable", lift, state, path)
        return image

    def write_mask(
        self, lift: str, state: MaskState, mask: np.ndarray, at: float | None = None
    ) -> MaskInfo:
        """Make ``mask`` (0/255 uint8) the current ``state`` mask of ``lift``, keeping the one
        it replaces in the history; creates the lift's folder when it has none."""
        now = time.time() if at is None else at
        data = encode(mask, ".png")
        with self._lock:
            if not self.exists(lift):
                self._init(lift, None, now)
            masks, history = self.masks_folder(lift), self.history_folder(lift)
            history.mkdir(parents=True, exist_ok=True)
            previous = self.mask_info(lift, state).path
            if previous is not None:
                write_atomic(history / self._free_name(history, state, now), previous.read_bytes())
            other: MaskState = "closed" if state == "open" else "open"
            seed_other = self._seed(lift, other)
            if seed_other is not None and not (masks / f"{other}.png").is_file():
                write_atomic(masks / f"{other}.png", seed_other.read_bytes())  # a pair at restart
            write_atomic(masks / f"{state}.png", data)
            info = self.mask_info(lift, state)
        logger.info("lift %s: %s mask v%d written", lift, state, info.version)
        return info

    @staticmethod
    def _free_name(folder: Path, state: MaskState, at: float) -> str:
        name, k = history_name(state, at), 1
        while (folder / name).exists():  # two uploads within one microsecond: the next one
            name, k = history_name(state, at + k * 1e-6), k + 1
        return name
