"""What registration knows of the station's reference frame, at both scales.

The carrier's mask (what of the ROI is carrier, not background) depends on the background the
frames are compared with, so it is rebuilt with the background model: the coarse shape matched
over the foreground, and the fine grey template with its mask that the aligner uses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from service.registration.align import SimilarityAligner
from service.registration.carrier_mask import carrier_mask
from service.registration.geometry import roi_to_crop, snap, to_small
from service.registration.pyramid import Scales
from service.registration.types import Box

logger = logging.getLogger(__name__)

Array = np.ndarray

MIN_MASK_PIXELS = 12  # coarse pixels; fewer: the carrier is not told apart from the background
MASK_DILATION = 1  # fine pixels of background kept around the carrier for the gradients
SHAPE_RING = 2  # coarse pixels of background around the carrier that its shape is matched with


def _holes(shape: Array) -> Array:
    """Background pixels of a 0/1 ``shape`` enclosed by it (not reachable from its border)."""
    outside = np.pad((shape == 0).astype(np.uint8), 1, constant_values=1)
    flood = np.zeros((outside.shape[0] + 2, outside.shape[1] + 2), np.uint8)
    cv2.floodFill(outside, flood, (0, 0), 2)
    return outside[1:-1, 1:-1] == 1


def matched_pixels(shape: Array) -> Array:
    """Where a frame's foreground is compared with ``shape`` (float32 0/1): the carrier and a
    ring of ``SHAPE_RING`` pixels of background around it, not farther background (other
    carriers, passengers' skis) nor what the carrier encloses (where passengers sit)."""
    ring = np.ones((2 * SHAPE_RING + 1,) * 2, np.uint8)
    grown = cv2.dilate(shape, ring)
    grown[_holes(shape)] = 0.0
    return grown


@dataclass(frozen=True)
class CarrierModel:
    """The reference carrier against one background; ``shape`` is None when the carrier cannot be
    told apart from it (then no frame is registered: grey levels would match an empty scene)."""

    shape: Array | None  # coarse ROI, float32 0/1
    shape_mask: Array | None  # coarse ROI, float32 0/1: where it is compared (matched_pixels)
    template_mask: Array  # fine template, uint8 0/255
    aligner: SimilarityAligner


class StationReference:
    """The reference frame and its ROI, ready for matching."""

    def __init__(self, reference: Array, roi: Box, crop: int, scales: Scales) -> None:
        self.image, self.roi, self.crop, self.scales = reference, roi, crop, scales
        self.to_crop = roi_to_crop(roi, crop)
        self.small = scales.small(reference)
        self.roi_small = scales.small_box(roi, inner=True)
        self.template_box = snap(roi, scales.fine, scales.width, scales.height)
        self.template = scales.fine_grey(reference, self.template_box)

    @cached_property
    def registered(self) -> Array:
        """The reference frame registered like any frame: its ROI warped onto the crop×crop
        image the masks are drawn in (BGR; computed once, never changed)."""
        size = (self.crop, self.crop)
        crop = cv2.warpAffine(
            self.image,
            self.to_crop[:2],
            size,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        crop.flags.writeable = False
        return crop

    def carrier(self, background: Array) -> CarrierModel:
        """The carrier model against ``background`` (coarse BGR)."""
        small = carrier_mask(self.small, background, self.roi_small)
        x, y, w, h = self.roi_small
        if int(small.sum()) < MIN_MASK_PIXELS:
            logger.warning("no carrier told apart from the background in the ROI: none registered")
            full = np.full(self.template.shape, 255, np.uint8)
            return CarrierModel(None, None, full, SimilarityAligner(self.template, full))
        shape = small[y : y + h, x : x + w].astype(np.float32)
        shape_mask = matched_pixels(shape)
        fine = self.scales.fine
        fine_from_small = to_small(fine, self.template_box[:2]) @ np.linalg.inv(
            to_small(self.scales.coarse)
        )
        th, tw = self.template.shape
        mask = cv2.warpAffine(small * 255, fine_from_small[:2], (tw, th), flags=cv2.INTER_NEAREST)
        mask = cv2.dilate(mask, np.ones((2 * MASK_DILATION + 1,) * 2, np.uint8))
        return CarrierModel(shape, shape_mask, mask, SimilarityAligner(self.template, mask))
