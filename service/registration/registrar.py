"""Registration of station frames: find the carrier, warp it to the canonical crop.

Per frame, at the coarse scale: the frame against the learned background gives a foreground map,
over which the reference carrier's shape (:mod:`carrier_mask`) is matched by normalised
cross-correlation; its best value over the search area is the ``score``. Only the carrier and a
thin ring of background around it are compared (``reference.matched_pixels``): other carriers
in the ROI, passengers' legs and skis, and passengers sitting where the empty reference carrier
shows background would otherwise count against it. Where the search area reaches the frame's
edge, it goes on beyond it (as background), so that a carrier cut by the edge still matches.
A carrier found is then aligned at the fine scale (:mod:`align`: a robust similarity warp; or
ECC, :mod:`refine`) and the frame warped so that the carrier lands where the reference's ROI
maps onto the crop.

Shapes of foreground are matched rather than grey levels because the ROI is mostly background,
which an empty frame matches very well: a grey-level score cannot say whether a carrier is there.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import cv2
import numpy as np

from service.registration.background import BackgroundModel
from service.registration.geometry import (
    apply,
    clip_box,
    grow,
    homogeneous,
    plausible,
    snap,
    to_small,
    translation,
    union,
)
from service.registration.matching import match_map, peak
from service.registration.pyramid import Scales
from service.registration.reference import CarrierModel, StationReference
from service.registration.refine import refine
from service.registration.types import Box, Registration, SearchHint

logger = logging.getLogger(__name__)

Array = np.ndarray

ECC_MOTIONS = {
    "translation": cv2.MOTION_TRANSLATION,
    "euclidean": cv2.MOTION_EUCLIDEAN,
    "affine": cv2.MOTION_AFFINE,
}
METHODS = ("similarity", *ECC_MOTIONS)
REFINE_MARGIN = 0.08  # of the ROI size, around the coarse position, for the fine image
KEEP_RATIO = 0.8  # default keep_score, of min_score
BEYOND_FRAME = 0.25  # of the ROI's size: how far out of the frame a carrier may be searched


def _box(values: Sequence[float]) -> Box:
    if len(values) != 4:
        raise ValueError(f"a box is [x, y, w, h], got {list(values)}")
    x, y, w, h = (round(float(v)) for v in values)
    if w <= 0 or h <= 0:
        raise ValueError(f"a box needs a positive size, got {list(values)}")
    return x, y, w, h


class Registrar:
    """Registers frames of one station against its reference frame.

    ``reference`` (BGR) shows an empty carrier at its departure point inside ``roi`` (x, y, w,
    h); ``search`` bounds where carriers are looked for (default: the ROI grown by ``margin`` of
    its size on every side). ``background``, an empty frame of the scene, seeds the background
    model (default: the first frame registered); the model keeps learning unless ``learn`` is
    False.
    ``coarse`` and ``fine`` are the downscaling factors of the search and of the alignment;
    ``method`` is ``"similarity"`` (robust Lucas-Kanade) or an ECC motion (``"affine"``,
    ``"euclidean"``, ``"translation"``). ``keep_score`` (default ``KEEP_RATIO`` of
    ``min_score``) is the score a carrier being followed needs where it is expected (see
    ``SearchHint``); a carrier found elsewhere needs ``min_score``.
    """

    def __init__(
        self,
        reference: Array,
        roi: Sequence[float],
        search: Sequence[float] | None = None,
        crop: int = 200,
        min_score: float = 0.4,
        *,
        background: Array | None = None,
        margin: float = 0.5,
        coarse: int = 4,
        fine: int = 2,
        method: str = "similarity",
        mask_every: int = 100,
        learn: bool = True,
        keep_score: float | None = None,
    ) -> None:
        if reference.ndim != 3 or reference.shape[2] != 3:
            raise ValueError(f"reference must be a BGR image, got shape {reference.shape}")
        if method not in METHODS:
            raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}")
        height, width = reference.shape[:2]
        box = _box(roi)
        if clip_box(box, width, height) != box:
            raise ValueError(f"roi {list(box)} is not inside the {width}×{height} frame")
        self.scales = Scales(width, height, coarse, fine)
        self.roi, self.crop, self.min_score = box, crop, min_score
        self.keep_score = KEEP_RATIO * min_score if keep_score is None else keep_score
        self.method, self.learn, self.mask_every = method, learn, mask_every
        wanted = grow(box, margin) if search is None else _box(search)
        self.search = clip_box(union(wanted, box), width, height)
        self.reference = StationReference(reference, box, crop, self.scales)
        self._search_small = self.scales.small_box(self.search, inner=False)
        self._beyond = self._beyond_frame()
        self._centre = (box[0] + box[2] / 2.0, box[1] + box[3] / 2.0)
        seed = None if background is None else self.scales.small(background)
        self.background = BackgroundModel(seed)
        self._model: CarrierModel | None = None
        self._model_version, self._since_model = -1, 0

    @property
    def carrier(self) -> CarrierModel | None:
        """The reference carrier's current model; None before the first frame."""
        return self._model

    def _refresh(self) -> CarrierModel:
        background = self.background.image
        assert background is not None
        fresh = self._model_version == self.background.version
        if self._model is None or not fresh or self._since_model >= self.mask_every:
            self._model = self.reference.carrier(background)
            self._model_version, self._since_model = self.background.version, 0
        self._since_model += 1
        return self._model

    def register(self, frame: Array, hint: SearchHint | None = None) -> Registration:
        """Find the carrier in ``frame`` (BGR, the reference's size) and register it; ``hint``
        (from the passage tracker) says where to look first and what to ignore."""
        if frame.shape != self.reference.image.shape:
            raise ValueError(f"frame shape {frame.shape} != reference {self.reference.image.shape}")
        small = self.scales.small(frame)
        if self.background.image is None:
            self.background.reset(small)
        model = self._refresh()
        distance = self.background.distance(small)
        score, offset, needed = self._search(model, distance, hint)
        if self.learn:
            self.background.update(small, distance)
        if score < needed:
            return Registration(None, score, self.reference.to_crop[:2].copy(), False, offset)
        if hint is not None and not hint.align:  # tracked only: the coarse position will do
            coarse = (self.reference.to_crop @ np.linalg.inv(translation(*offset)))[:2]
            return Registration(None, score, coarse, True, offset)
        motion = self._refine(model, frame, translation(*offset))
        affine = (self.reference.to_crop @ np.linalg.inv(motion))[:2]
        size = (self.crop, self.crop)
        crop = cv2.warpAffine(
            frame, affine, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        x, y = apply(motion, self._centre)
        offset = (x - self._centre[0], y - self._centre[1])
        scale = float(np.sqrt(abs(np.linalg.det(motion[:2, :2]))))
        return Registration(crop, score, affine, True, offset, scale)

    def _beyond_frame(self) -> tuple[int, int, int, int]:
        """Coarse pixels searched beyond the frame's left, top, right and bottom edges: a
        carrier partly out of the picture is still found, where the search area reaches them."""
        sx, sy, sw, sh = self._search_small
        width, height = self.scales.small_size
        pad = round(BEYOND_FRAME * max(self.reference.roi_small[2:]))
        return (
            pad if sx == 0 else 0,
            pad if sy == 0 else 0,
            pad if sx + sw == width else 0,
            pad if sy + sh == height else 0,
        )

    def _search(
        self, model: CarrierModel, distance: Array, hint: SearchHint | None
    ) -> tuple[float, tuple[float, float], float]:
        """The best match's score, the carrier's offset there (frame pixels) and the score it
        needs to count as found (``keep_score`` where ``hint.near`` expects it)."""
        if model.shape is None:
            return 0.0, (0.0, 0.0), self.min_score
        sx, sy, sw, sh = self._search_small
        rx, ry = self.reference.roi_small[:2]
        image = BackgroundModel.foreground(distance[sy : sy + sh, sx : sx + sw])
        left, top, right, bottom = self._beyond
        if left or top or right or bottom:  # nothing seen beyond the frame: background
            image = cv2.copyMakeBorder(
                image, top, bottom, left, right, cv2.BORDER_CONSTANT, value=0.0
            )
        result = match_map(image, model.shape, model.shape_mask)
        c = self.scales.coarse
        x0, y0 = sx - left, sy - top  # where the searched image starts, in coarse pixels

        def to_map(offset: tuple[float, float] | None) -> tuple[float, float] | None:
            return None if offset is None else (offset[0] / c + rx - x0, offset[1] / c + ry - y0)

        hint = hint or SearchHint()
        radius = hint.radius / c
        match, needed = peak(result, avoid=to_map(hint.avoid), radius=radius), self.min_score
        if hint.near is not None:
            local = peak(result, to_map(hint.near), radius)
            if local.score >= self.keep_score:
                match, needed = local, self.keep_score
        offset = (float((match.x + x0 - rx) * c), float((match.y + y0 - ry) * c))
        return match.score, offset, needed

    def _refine(self, model: CarrierModel, frame: Array, motion: Array) -> Array:
        """``motion`` (reference -> frame pixels) aligned at the fine scale, or as it was."""
        roi, fine = self.roi, self.scales.fine
        pad = REFINE_MARGIN * max(roi[2], roi[3]) + 2 * self.scales.coarse
        x0, y0 = roi[0] + motion[0, 2] - pad, roi[1] + motion[1, 2] - pad
        around = (round(x0), round(y0), round(roi[2] + 2 * pad), round(roi[3] + 2 * pad))
        box = snap(around, fine, self.scales.width, self.scales.height)
        if box[2] < 4 * fine or box[3] < 4 * fine:
            return motion
        image = self.scales.fine_grey(frame, box)
        to_image = to_small(fine, box[:2])
        to_template = to_small(fine, self.reference.template_box[:2])
        start = to_image @ motion @ np.linalg.inv(to_template)
        warp = self._align(model, image, start)
        if warp is None or not plausible(warp, start, self.reference.template.shape[:2]):
            return motion
        return np.linalg.inv(to_image) @ warp @ to_template

    def _align(self, model: CarrierModel, image: Array, start: Array) -> Array | None:
        if self.method == "similarity":
            if not model.aligner.usable:
                return None
            found = model.aligner.align(image, start)
            return None if found is None else found.warp
        template = self.reference.template
        warp = refine(template, model.template_mask, image, start[:2], ECC_MOTIONS[self.method])
        return None if warp is None else homogeneous(warp)
