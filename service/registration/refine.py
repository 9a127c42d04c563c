"""Fine alignment by ECC: the reference's carrier pixels against the frame, affine motion.

The reference ROI patch is the ECC template and its carrier mask the template mask, so the
background, static in the reference and moved in the frame, never pulls the warp. A warp that
does not converge is refused (None).
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

logger = logging.getLogger(__name__)

Array = np.ndarray

ITERATIONS = 40
EPSILON = 1e-4


def refine(
    template: Array, template_mask: Array, image: Array, start: Array, motion: int
) -> Array | None:
    """The 2×3 warp (template pixels -> ``image`` pixels) maximising ECC, or None.

    ``template`` and ``image`` are float32 grey; ``start`` is the initial 2×3 warp.
    """
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, ITERATIONS, EPSILON)
    image_mask = np.full(image.shape[:2], 255, np.uint8)
    try:
        _, warp = cv2.findTransformECCWithMask(
            template,
            image,
            template_mask,
            image_mask,
            start.astype(np.float32),
            motion,
            criteria,
            3,
        )
    except cv2.error as err:
        logger.debug("ECC did not converge: %s", str(err).strip().splitlines()[-1])
        return None
    return np.asarray(warp, np.float64)
