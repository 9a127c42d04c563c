"""Each lift's open and closed mask embeddings, computed once per mask change or model change.

Embedding a mask costs as much as embedding a frame, and a lift's masks change rarely (an
operator uploads them) while its frames come many times a second; so the cache embeds the two
masks when they are set and when the engine changes, never per frame, and counts how often it
did (``embed_count``).

Consistency: the cache owns the engine its embeddings came from. ``snapshot()`` hands out that
engine and every lift's embeddings together, taken under one lock, so a classifier that embeds
its crops with ``snapshot.engine`` always compares them with embeddings of the same model.
Writers (``set_masks``, ``swap_engine``) are serialised and compute outside the read lock, then
publish a new table in one step: readers never wait for an embedding and never see a half-updated
cache.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from service.inference.engines import Engine
from service.inference.mask_files import load_lift_masks, validate_pair

log = logging.getLogger(__name__)

__all__ = ["LiftMasks", "MaskEmbeddingCache", "MaskSnapshot", "UnknownLift", "load_lift_masks"]


class UnknownLift(KeyError):  # noqa: N818 (the name the API contract uses)
    """A lift with no masks: its frames cannot be judged until both masks are uploaded."""

    def __init__(self, lift: str) -> None:
        super().__init__(lift)
        self.lift = lift

    def __str__(self) -> str:
        return (
            f"lift {self.lift!r} has no masks: upload its open and closed masks "
            f"(PUT /api/lifts/{self.lift}/masks/{{open|closed}})"
        )


@dataclass(frozen=True, eq=False)
class LiftMasks:
    """A lift's two mask embeddings (read-only (D,) float32) and where they came from."""

    lift: str
    open_embedding: np.ndarray
    closed_embedding: np.ndarray
    version: int
    """How many times this lift's masks were set (1 after the first ``set_masks``)."""
    model_id: str
    """The ``Engine.model_id`` that computed both embeddings."""


@dataclass(frozen=True)
class MaskSnapshot:
    """The engine and every lift's embeddings at one instant."""

    engine: Engine
    lifts: Mapping[str, LiftMasks]

    def get(self, lift: str) -> LiftMasks:
        """The lift's embeddings; ``UnknownLift`` when it has no masks."""
        try:
            return self.lifts[lift]
        except KeyError:
            raise UnknownLift(lift) from None


@dataclass(frozen=True, eq=False)
class _Masks:
    open_mask: np.ndarray
    closed_mask: np.ndarray
    version: int


def _frozen(a: np.ndarray) -> np.ndarray:
    out = np.array(a, copy=True)
    out.flags.writeable = False
    return out


class MaskEmbeddingCache:
    """Lift → (open, closed) mask embeddings by ``engine``; thread-safe."""

    def __init__(self, engine: Engine) -> None:
        self._read_lock = threading.Lock()  # guards _snapshot, held for pointer swaps only
        self._write_lock = threading.Lock()  # serialises set_masks and swap_engine
        self._masks: dict[str, _Masks] = {}
        self._snapshot = MaskSnapshot(engine, MappingProxyType({}))
        self._embed_count = 0

    def mask_images(self, lift: str) -> tuple[np.ndarray, np.ndarray]:
        """The lift's current (open, closed) mask images (read-only); ``UnknownLift`` if none.

        For explanation heatmaps (rare): the embeddings to compare with come from
        ``snapshot()``; these are the images they were computed from (entries are replaced
        whole, never changed in place, so no lock is needed to read one).
        """
        entry = self._masks.get(lift)
        if entry is None:
            raise UnknownLift(lift)
        return entry.open_mask, entry.closed_mask

    @property
    def engine(self) -> Engine:
        """The engine the current embeddings came from."""
        return self.snapshot().engine

    @property
    def embed_count(self) -> int:
        """Mask pairs embedded so far: one per ``set_masks``, one per lift per ``swap_engine``."""
        with self._read_lock:
            return self._embed_count

    def snapshot(self) -> MaskSnapshot:
        """The engine and all embeddings, consistent with each other."""
        with self._read_lock:
            return self._snapshot

    def get(self, lift: str) -> LiftMasks:
        """``lift``'s embeddings; ``UnknownLift`` when it has no masks."""
        return self.snapshot().get(lift)

    def lifts(self) -> list[str]:
        """Lifts with masks, sorted."""
        return sorted(self.snapshot().lifts)

    def __contains__(self, lift: object) -> bool:
        return lift in self.snapshot().lifts

    def set_masks(self, lift: str, open_mask: np.ndarray, closed_mask: np.ndarray) -> LiftMasks:
        """Validate and embed ``lift``'s masks (uint8 (H, W) 0/255), replacing earlier ones.

        ``ValueError`` for an invalid pair; the cache is then unchanged.
        """
        validate_pair(open_mask, closed_mask, lift)
        with self._write_lock:
            previous = self._masks.get(lift)
            stored = _Masks(
                _frozen(open_mask), _frozen(closed_mask), previous.version + 1 if previous else 1
            )
            engine = self._snapshot.engine  # only writers change it, and we are the writer
            entry = self._embed(engine, lift, stored)
            self._masks[lift] = stored
            self._publish(engine, {**self._snapshot.lifts, lift: entry}, embedded=1)
        log.info("lift %s: masks v%d embedded by %s", lift, entry.version, engine.model_id)
        return entry

    def swap_engine(self, engine: Engine) -> None:
        """Re-embed every lift's masks with ``engine``, then switch to it in one step."""
        with self._write_lock:
            table = {lift: self._embed(engine, lift, m) for lift, m in self._masks.items()}
            old = self._snapshot.engine
            self._publish(engine, table, embedded=len(table))
        log.info(
            "mask cache: %s → %s, %d lift(s) re-embedded", old.model_id, engine.model_id, len(table)
        )

    def _publish(self, engine: Engine, table: dict[str, LiftMasks], embedded: int) -> None:
        with self._read_lock:
            self._snapshot = MaskSnapshot(engine, MappingProxyType(table))
            self._embed_count += embedded

    @staticmethod
    def _embed(engine: Engine, lift: str, masks: _Masks) -> LiftMasks:
        pair = np.stack([masks.open_mask, masks.closed_mask])
        out = engine.embed(engine.config.mask_to_input(pair).numpy())
        if out.ndim != 2 or out.shape[0] != 2:
            raise RuntimeError(f"{engine!r} returned {out.shape} for 2 masks, not (2, D)")
        return LiftMasks(lift, _frozen(out[0]), _frozen(out[1]), masks.version, engine.model_id)
