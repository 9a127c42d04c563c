"""``SimilarAlarms``: the alarms nearest to one alarm by the Hamming distance of their codes.

An alarm's code is computed from its registered crop snapshot the first time it is needed and
cached in ``alarm_hash_codes`` (lazily: the pipeline never waits for hashing). Candidates are the
other alarms with a crop snapshot, the ``max_candidates`` newest at most; nearest first, ties
broken by the newer alarm. The hasher loads on first use; a missing or unusable model raises
``HashingUnavailableError`` on every call until it is there (it is looked for again each time).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from service.alarms import AlarmRecord, AlarmStore, SnapshotStore
from service.alarms.store import MAX_LIMIT
from service.similar.codes_table import HashCodeStore
from service.similar.hasher import CropHasher, hamming

logger = logging.getLogger(__name__)

MAX_CANDIDATES = 5000
BATCH = 32


class NoCropError(LookupError):
    """The alarm has no readable registered crop to hash."""


@dataclass(frozen=True)
class SimilarResult:
    """The query's code and its nearest alarms (record, distance), nearest first."""

    alarm: AlarmRecord
    code: int
    bits: int
    model: str
    items: list[tuple[AlarmRecord, int]]
    candidates: int
    stations: list[tuple[str, int, int | None]] = field(default_factory=list)
    """(station id, distance, frame index) of each station's newest registered crop."""


class SimilarAlarms:
    """Ranks alarms by code; ``hasher_factory`` builds the hasher on first use."""

    def __init__(
        self,
        store: AlarmStore,
        snapshots: SnapshotStore,
        hasher_factory: Callable[[], CropHasher] = CropHasher,
        max_candidates: int = MAX_CANDIDATES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.snapshots = store, snapshots
        self.hasher_factory, self.max_candidates, self.clock = hasher_factory, max_candidates, clock
        self._hasher: CropHasher | None = None
        self._codes: HashCodeStore | None = None
        self._lock = threading.Lock()

    def hasher(self) -> CropHasher:
        """The loaded hasher (``HashingUnavailableError`` while there is no usable model)."""
        with self._lock:
            if self._hasher is None:
                self._hasher = self.hasher_factory()
            return self._hasher

    def codes_table(self) -> HashCodeStore:
        with self._lock:
            if self._codes is None:
                self._codes = HashCodeStore(self.store.engine)
            return self._codes

    def similar(self, alarm: AlarmRecord, limit: int) -> SimilarResult:
        """The ``limit`` alarms nearest to ``alarm`` (``NoCropError`` if it has no crop to hash)."""
        hasher = self.hasher()
        if self._crop(alarm) is None:
            raise NoCropError(f"alarm {alarm.id} has no readable crop snapshot to hash")
        candidates = [r for r in self._candidates() if r.id != alarm.id]
        codes = self.codes_of([alarm, *candidates], hasher)
        code = codes[alarm.id]
        ranked = sorted(
            ((r, hamming(code, codes[r.id])) for r in candidates if r.id in codes),
            key=lambda item: (item[1], -item[0].raised_at, item[0].id),
        )
        return SimilarResult(alarm, code, hasher.bits, hasher.key, ranked[:limit], len(candidates))

    def stations(
        self, code: int, crops: dict[str, tuple[np.ndarray, int | None]]
    ) -> list[tuple[str, int, int | None]]:
        """(station, distance, frame) of each station's newest registered crop, nearest first."""
        if not crops:
            return []
        ids = sorted(crops)
        values = self.hasher().codes([crops[s][0] for s in ids])
        found = [(s, hamming(code, v), crops[s][1]) for s, v in zip(ids, values, strict=True)]
        return sorted(found, key=lambda item: (item[1], item[0]))

    def codes_of(self, records: list[AlarmRecord], hasher: CropHasher) -> dict[str, int]:
        """Codes of ``records`` (cached, or computed from their crops and cached now)."""
        table = self.codes_table()
        codes = table.get(hasher.key, [r.id for r in records])
        missing = [r for r in records if r.id not in codes]
        fresh: dict[str, int] = {}
        for start in range(0, len(missing), BATCH):
            part = [(r.id, self._crop(r)) for r in missing[start : start + BATCH]]
            readable = [(i, c) for i, c in part if c is not None]
            if readable:
                values = hasher.codes([c for _, c in readable])
                fresh.update(zip([i for i, _ in readable], values, strict=True))
        table.put(hasher.key, fresh, self.clock())
        if fresh:
            logger.info("hashed %d alarm crop(s) with %s", len(fresh), hasher.key)
        return codes | fresh

    def _candidates(self) -> list[AlarmRecord]:
        found: list[AlarmRecord] = []
        cursor: str | None = None
        while len(found) < self.max_candidates:
            page, cursor = self.store.list(limit=MAX_LIMIT, cursor=cursor)
            found.extend(r for r in page if r.crop_snapshot)
            if cursor is None:
                break
        return found[: self.max_candidates]

    def _crop(self, record: AlarmRecord) -> np.ndarray | None:
        if not record.crop_snapshot:
            return None
        try:
            path = self.snapshots.path(record.crop_snapshot)
        except ValueError:
            logger.warning("alarm %s: crop snapshot path refused", record.id)
            return None
        image = cv2.imread(str(path), cv2.IMREAD_COLOR) if path.is_file() else None
        return image
