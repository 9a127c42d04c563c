"""Lifts and their masks: the data directory's lift folders (:mod:`.repository`), uploads made
safe (:mod:`.images`), and both joined with the running pipeline (:mod:`.service`): a mask
upload is stored, versioned and swapped into the live classifier without a restart.

Imports neither torch nor the pipeline (the service reaches them only where one runs).
"""

from __future__ import annotations

from service.lifts.images import (
    MAX_SIDE,
    ImageProblemError,
    decode_image,
    encode,
    overlay,
    prepare_mask,
)
from service.lifts.repository import (
    MASK_STATES,
    LiftError,
    LiftExistsError,
    LiftInfo,
    LiftRepository,
    MaskInfo,
    MaskState,
    check_lift_id,
)
from service.lifts.service import (
    ClassifierUnavailableError,
    LiftService,
    NoMasksError,
    NotLiveError,
    Upload,
)

__all__ = [
    "MASK_STATES",
    "MAX_SIDE",
    "ClassifierUnavailableError",
    "ImageProblemError",
    "LiftError",
    "LiftExistsError",
    "LiftInfo",
    "LiftRepository",
    "LiftService",
    "MaskInfo",
    "MaskState",
    "NoMasksError",
    "NotLiveError",
    "Upload",
    "check_lift_id",
    "decode_image",
    "encode",
    "overlay",
    "prepare_mask",
]
