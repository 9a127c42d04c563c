"""The registrar's result and the box type it takes: plain, frozen values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Box = tuple[int, int, int, int]  # x, y, w, h in pixels of the full frame


@dataclass(frozen=True)
class SearchHint:
    """What the passage tracker knows of where to look, as offsets (frame pixels, like
    ``Registration.offset``).

    ``near``: where the carrier being followed should be; the best match within ``radius`` of
    it is taken when it scores at least the registrar's ``keep_score`` (lower than its
    ``min_score``: a carrier already followed is kept through partial occlusion), so that
    another carrier in sight, even one matching better, does not take the match over.
    ``avoid``: where a carrier that has passed its departure point is; matches within
    ``radius`` of it are ignored, so the search turns to the next carrier.
    ``align`` False: the carrier is still far from its departure point, so only where it is
    matters (for tracking): the frame is not aligned nor cropped, the costly part.
    """

    near: tuple[float, float] | None = None
    avoid: tuple[float, float] | None = None
    radius: float = 60.0
    align: bool = True


@dataclass(frozen=True)
class Registration:
    """One frame registered against a station's reference.

    ``affine`` maps frame pixels to crop pixels (``cv2.warpAffine(frame, affine, (crop, crop))``
    gives ``crop``); ``offset`` is where the carrier is, in frame pixels, relative to its place
    in the reference (the ROI centre); ``score`` is how well the reference carrier's shape
    matches the frame's foreground there, in [-1, 1]. Not found (``score`` below the station's
    ``min_score``): no crop, ``affine`` is the unmoved ROI's, ``offset`` the best candidate's.
    Found but not aligned (a ``SearchHint`` with ``align`` False): no crop, ``affine`` and
    ``offset`` from the coarse search only. ``scale`` is the carrier's size relative to the
    reference's, from the fine alignment (1.0 when not aligned).
    """

    crop: np.ndarray | None  # crop×crop BGR, None when not found or not aligned
    score: float
    affine: np.ndarray  # 2×3, frame -> crop
    found: bool
    offset: tuple[float, float]  # (dx, dy) frame pixels
    scale: float = 1.0  # the carrier's size / the reference carrier's, as aligned
