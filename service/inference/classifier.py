"""Bar state of registered crops: embed them in one batch, compare with their lift's masks.

Each crop takes the state of the nearer of its lift's two mask embeddings (the paper's eq. 3,
``models.zoo.decision.decide``; ties go to "open", which raises an alarm rather than pass an
open bar). The engine and the mask embeddings come from one ``MaskEmbeddingCache.snapshot()``,
so a hot engine swap can never compare a crop embedded by one model with masks embedded by
another.

A request whose lift has no masks gets no decision; it is counted per lift and logged once per
lift, not per frame. A request whose crop is not a BGR uint8 image is likewise counted and
logged once per station, and never spoils the rest of its batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from models.zoo.decision import OPEN, decide
from service.inference.crops import check_crop, crop_batch, crop_problem
from service.inference.engines import Engine
from service.inference.masks import LiftMasks, MaskEmbeddingCache
from service.inference.messages import BarState, CropRequest, FrameDecision

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImageDecision:
    """The verdict on one crop outside the frame pipeline (the REST classify endpoint)."""

    lift: str
    state: BarState
    d_open: float
    d_closed: float
    margin: float
    """``|d_open − d_closed|``."""
    model: str
    decided_at: float


@dataclass(frozen=True)
class _Verdict:
    state: BarState
    d_open: float
    d_closed: float

    @property
    def margin(self) -> float:
        return abs(self.d_open - self.d_closed)


def _judge(
    engine: Engine, crops: Sequence[np.ndarray], masks: Sequence[LiftMasks]
) -> list[_Verdict]:
    """One ``engine.embed`` for all ``crops``; crop i is compared with ``masks[i]``."""
    embeddings = engine.embed(crop_batch(engine.config, crops))
    result = decide(
        embeddings,
        np.stack([m.open_embedding for m in masks]),
        np.stack([m.closed_embedding for m in masks]),
    )
    states = result.state.tolist()
    d_open, d_closed = result.d_open.tolist(), result.d_closed.tolist()
    return [
        _Verdict("open" if s == OPEN else "closed", float(o), float(c))
        for s, o, c in zip(states, d_open, d_closed, strict=True)
    ]


class CropClassifier:
    """Decides the bar state of crops against the masks held by ``masks``.

    ``engine`` must be the model the cache embeds with (the same ``model_id``); the classifier
    then always embeds with the cache's current engine, so ``swap_engine`` changes both at once.
    """

    def __init__(
        self, engine: Engine, masks: MaskEmbeddingCache, clock: Callable[[], float] = time.time
    ) -> None:
        if masks.engine.model_id != engine.model_id:
            raise ValueError(
                f"the mask cache embeds with {masks.engine.model_id}, not {engine.model_id}: "
                "build both from the same engine (or call masks.swap_engine first)"
            )
        self.masks = masks
        self._clock = clock
        self._lock = threading.Lock()
        self._unknown: Counter[str] = Counter()
        self._rejected: Counter[str] = Counter()

    @property
    def engine(self) -> Engine:
        """The engine crops are embedded with now."""
        return self.masks.engine

    def swap_engine(self, engine: Engine) -> None:
        """Re-embed every lift's masks with ``engine`` and classify with it from then on."""
        self.masks.swap_engine(engine)

    def skipped_unknown_lift(self) -> dict[str, int]:
        """Requests left undecided because their lift had no masks, per lift."""
        with self._lock:
            return dict(self._unknown)

    def rejected_crops(self) -> dict[str, int]:
        """Requests left undecided because their crop was not a BGR uint8 image, per station."""
        with self._lock:
            return dict(self._rejected)

    def classify(self, requests: Sequence[CropRequest]) -> list[FrameDecision]:
        """Decisions for the requests that can be judged, in request order (see module doc)."""
        snapshot = self.masks.snapshot()
        ready: list[tuple[CropRequest, LiftMasks]] = []
        for request in requests:
            entry = snapshot.lifts.get(request.lift)
            if entry is None:
                self._count_unknown(request.lift)
            elif (problem := crop_problem(request.crop)) is not None:
                self._count_rejected(request.station_id, problem)
            else:
                ready.append((request, entry))
        if not ready:
            return []
        verdicts = _judge(snapshot.engine, [r.crop for r, _ in ready], [m for _, m in ready])
        now = self._clock()
        return [
            FrameDecision(
                station_id=r.station_id,
                lift=r.lift,
                frame=r.frame,
                timestamp=r.timestamp,
                passage=r.passage,
                state=v.state,
                d_open=v.d_open,
                d_closed=v.d_closed,
                margin=v.margin,
                model=snapshot.engine.model_id,
                decided_at=now,
            )
            for (r, _), v in zip(ready, verdicts, strict=True)
        ]

    def classify_image(self, lift: str, crop: np.ndarray) -> ImageDecision:
        """One crop of ``lift``; ``UnknownLift`` without masks, ``ValueError`` for a bad crop."""
        check_crop(crop)
        snapshot = self.masks.snapshot()
        entry = snapshot.get(lift)
        (verdict,) = _judge(snapshot.engine, [crop], [entry])
        return ImageDecision(
            lift=lift,
            state=verdict.state,
            d_open=verdict.d_open,
            d_closed=verdict.d_closed,
            margin=verdict.margin,
            model=snapshot.engine.model_id,
            decided_at=self._clock(),
        )

    def _count_unknown(self, lift: str) -> None:
        with self._lock:
            self._unknown[lift] += 1
            first = self._unknown[lift] == 1
        if first:
            log.warning("lift %s has no masks: its frames get no decision until it has", lift)

    def _count_rejected(self, station: str, problem: str) -> None:
        with self._lock:
            self._rejected[station] += 1
            first = self._rejected[station] == 1
        if first:
            log.warning(
                "station %s: crop rejected (%s); further ones are only counted", station, problem
            )
