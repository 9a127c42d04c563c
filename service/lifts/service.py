"""Lifts as the API sees them: the repository's files joined with the running pipeline.

``upload`` stores a mask (keeping the previous version) and, where a pipeline runs and the lift
has both masks, re-embeds the pair in the pipeline's ``MaskEmbeddingCache``: every station of the
lift judges its next batch with the new masks, with no restart. ``classify`` judges one crop with
the running classifier, or, where no pipeline runs, with a classifier built on first use
(``classifier_factory``, by default the shipped model on the CPU) that embeds the stored masks.

Nothing here imports torch at import time: the pipeline has loaded it already where one runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from service.lifts.images import THRESHOLD, ImageProblemError
from service.lifts.repository import MASK_STATES, LiftRepository, MaskInfo, MaskState

if TYPE_CHECKING:
    from service.inference import CropClassifier, ImageDecision
    from service.pipeline.runtime import Runtime

logger = logging.getLogger(__name__)

ClassifierFactory = Callable[[], "CropClassifier"]
DEFAULT_CROP = 200


class NoMasksError(LookupError):
    """A lift that cannot be judged yet: it lacks one of its masks (the message says which)."""


class NotLiveError(RuntimeError):
    """A mask stored but not embedded by the running pipeline (the message says why)."""


class ClassifierUnavailableError(RuntimeError):
    """No pipeline runs and no classifier could be built here (the message says why)."""


@dataclass(frozen=True)
class Upload:
    """The masks stored, and whether the running pipeline now judges with the lift's pair."""

    lift: str
    masks: Mapping[MaskState, MaskInfo]
    embedded: bool


def default_classifier() -> CropClassifier:
    """The shipped model on one CPU thread, with no masks yet."""
    from service.inference import CropClassifier, MaskEmbeddingCache, load_engine

    engine = load_engine("onnx", device="cpu", threads=1)
    return CropClassifier(engine, MaskEmbeddingCache(engine))


def binary(mask: np.ndarray) -> np.ndarray:
    _, out = cv2.threshold(mask, THRESHOLD, 255, cv2.THRESH_BINARY)
    return np.ascontiguousarray(out, dtype=np.uint8)


class LiftService:
    """The lifts of ``repository`` and of ``runtime``'s stations (``runtime`` may be None)."""

    def __init__(
        self,
        repository: LiftRepository,
        runtime: Runtime | None = None,
        classifier_factory: ClassifierFactory = default_classifier,
    ) -> None:
        self.repository = repository
        self.runtime = runtime
        self._factory = classifier_factory
        self._standalone: CropClassifier | None = None
        self._standalone_masks: dict[str, tuple[MaskInfo, MaskInfo]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifts and stations

    def stations_of(self, lift: str) -> list[str]:
        return [] if self.runtime is None else self.runtime.stations_of(lift)

    def ids(self) -> list[str]:
        """Lifts with a folder or a running station, sorted."""
        running = set()
        if self.runtime is not None:
            running = {r.analyser.config.lift for r in self.runtime.runners.values()}
        return sorted(set(self.repository.ids()) | running)

    def known(self, lift: str) -> bool:
        return self.repository.exists(lift) or bool(self.stations_of(lift))

    def crop_size(self, lift: str) -> int:
        """The registered crop's side at the lift's stations (200 when none runs)."""
        if self.runtime is None:
            return DEFAULT_CROP
        sizes = [
            self.runtime.runners[s].analyser.config.registration.crop
            for s in self.stations_of(lift)
        ]
        return max(sizes, default=DEFAULT_CROP)

    def live_version(self, lift: str) -> int | None:
        """The version of the lift's masks the running classifier judges with, if any."""
        if self.runtime is None:
            return None
        entry = self.runtime.classifier.masks.snapshot().lifts.get(lift)
        return None if entry is None else entry.version

    def reference_crop(self, station_id: str) -> np.ndarray:
        """The station's reference frame registered onto its crop; ``KeyError`` if unknown."""
        if self.runtime is None:
            raise KeyError(station_id)
        return self.runtime.runners[station_id].analyser.registrar.reference.registered

    # ------------------------------------------------------------------ masks

    def upload(self, lift: str, masks: Mapping[MaskState, np.ndarray]) -> Upload:
        """Store ``masks`` (one or both states; prepared: 0/255, crop size) as ``lift``'s, then
        swap the pair into the running classifier.

        ``ImageProblemError`` when the pair would be unusable (sizes differ, or both masks are
        the same: swap two masks in one upload): nothing is stored then. ``NotLiveError`` when
        stored but not embedded.
        """
        if not masks:
            raise ValueError("no mask to upload")
        with self._lock:
            pair = self._pair(lift, masks)
            infos = {s: self.repository.write_mask(lift, s, m) for s, m in masks.items()}
            embedded = False
            if self.runtime is not None and pair is not None:
                try:
                    self.runtime.classifier.masks.set_masks(lift, *pair)
                except Exception as exc:
                    logger.exception("lift %s: stored masks not embedded", lift)
                    raise NotLiveError(
                        f"the masks of lift {lift} are stored but the running pipeline could not "
                        f"embed them ({exc}); it keeps judging with the previous ones"
                    ) from exc
                embedded = True
                versions = ", ".join(f"{s} v{i.version}" for s, i in infos.items())
                logger.info("lift %s: masks live (%s)", lift, versions)
        return Upload(lift, infos, embedded)

    def _pair(
        self, lift: str, masks: Mapping[MaskState, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(open, closed) after the upload, checked; ``None`` while one is still missing."""
        current: dict[MaskState, np.ndarray] = {}
        for state in MASK_STATES:
            if state in masks:
                current[state] = masks[state]
            elif (stored := self.repository.read_mask(lift, state)) is not None:
                current[state] = binary(stored)
        if len(current) < 2:
            return None
        open_mask, closed_mask = current["open"], current["closed"]
        if open_mask.shape != closed_mask.shape:
            sizes = " and ".join(f"{s} {m.shape[1]}×{m.shape[0]}" for s, m in current.items())
            raise ImageProblemError(
                f"lift {lift}'s masks would differ in size ({sizes}): upload both at once"
            )
        if np.array_equal(open_mask, closed_mask):
            raise ImageProblemError(
                f"the open and closed masks of lift {lift} would be identical (every frame a "
                "tie); to swap them, upload both at once (PUT "
                f"/api/lifts/{lift}/masks with fields open and closed)"
            )
        return open_mask, closed_mask

    # ------------------------------------------------------------------ classify

    def classify(self, lift: str, crop: np.ndarray) -> ImageDecision:
        """The bar state of ``crop`` (BGR uint8) against ``lift``'s masks; ``NoMasksError``."""
        if self.runtime is not None:
            from service.inference import UnknownLift

            try:
                return self.runtime.classifier.classify_image(lift, crop)
            except UnknownLift:
                raise NoMasksError(self._missing(lift, live=True)) from None
        return self._standalone_for(lift).classify_image(lift, crop)

    def _missing(self, lift: str, live: bool) -> str:
        absent = [s for s in MASK_STATES if not self.repository.mask_info(lift, s).exists]
        if absent:
            return (
                f"lift {lift} has no {' and no '.join(absent)} mask: upload it with "
                f"PUT /api/lifts/{lift}/masks/{absent[0]}"
            )
        where = "the running pipeline" if live else "the classifier"
        return f"lift {lift}'s masks are not loaded by {where}: upload them again"

    def _standalone_for(self, lift: str) -> CropClassifier:
        with self._lock:
            if self._standalone is None:
                try:
                    self._standalone = self._factory()
                except Exception as exc:
                    logger.exception("no classifier for the classify endpoint")
                    raise ClassifierUnavailableError(
                        f"no pipeline runs here and no classifier could be loaded: {exc}"
                    ) from exc
            infos = tuple(self.repository.mask_info(lift, s) for s in MASK_STATES)
            if not all(i.exists for i in infos):
                raise NoMasksError(self._missing(lift, live=False))
            key = (infos[0], infos[1])
            if self._standalone_masks.get(lift) != key:
                masks = [self.repository.read_mask(lift, s) for s in MASK_STATES]
                if masks[0] is None or masks[1] is None:
                    raise NoMasksError(f"lift {lift}'s mask files are not readable")
                try:
                    self._standalone.masks.set_masks(lift, binary(masks[0]), binary(masks[1]))
                except ValueError as exc:
                    raise NoMasksError(f"lift {lift}'s stored masks are not usable: {exc}") from exc
                self._standalone_masks[lift] = key
            return self._standalone
