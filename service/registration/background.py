"""The scene without carriers, learned from the frames themselves (downscaled BGR).

A running average updated only where a frame looks like the background, so that carriers passing
by are not learned. A pixel that stays different for ``absorb_frames`` frames in a row *and keeps
the same colour all along* (snow fallen on a pylon, a parked groomer) is taken into the background
at once; a pixel crossed by one carrier after another (dense traffic, where the picture is never
empty for long) changes colour as they go by and is never absorbed; when most of the frame
stays changed for ``reset_frames`` frames in a row (the camera was moved, the exposure jumped),
the model starts again from the frame. A single odd frame (a decoding glitch) changes nothing.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

logger = logging.getLogger(__name__)

Array = np.ndarray

FOREGROUND_LOW, FOREGROUND_HIGH = 12.0, 36.0  # colour distance: surely background .. surely not
RESET_FRACTION = 0.6


class BackgroundModel:
    """Per-pixel background of downscaled BGR frames, with a soft foreground map."""

    def __init__(
        self,
        initial: Array | None = None,
        rate: float = 0.03,
        absorb_frames: int = 300,
        reset_frames: int = 5,
        threshold: float = FOREGROUND_LOW,
    ) -> None:
        self.rate = rate
        self.absorb_frames = absorb_frames
        self.reset_frames = reset_frames
        self.threshold = threshold
        self._changed = 0  # frames in a row with most of the picture changed
        self._image: Array | None = None
        self._streak: Array | None = None  # frames in a row changed, with the colour of _held
        self._held: Array | None = None  # the colour each changed pixel has kept
        self.version = 0  # bumped whenever the model is (re)started
        if initial is not None:
            self.reset(initial)

    @property
    def image(self) -> Array | None:
        """The background (float32 BGR), None before the first frame."""
        return self._image

    def reset(self, frame: Array) -> None:
        self._image = frame.astype(np.float32, copy=True)
        self._streak = np.zeros(frame.shape[:2], np.int32)
        self._held = self._image.copy()
        self._changed = 0
        self.version += 1

    def distance(self, frame: Array) -> Array:
        """Colour distance of every pixel of ``frame`` from the background."""
        if self._image is None:
            return np.zeros(frame.shape[:2], np.float32)
        return _colour_distance(frame.astype(np.float32), self._image)

    @staticmethod
    def foreground(distance: Array) -> Array:
        """Soft foreground in [0, 1] from :meth:`distance`."""
        span = FOREGROUND_HIGH - FOREGROUND_LOW
        return np.clip((distance - FOREGROUND_LOW) / span, 0.0, 1.0).astype(np.float32)

    def update(self, frame: Array, distance: Array | None = None) -> None:
        """Learn ``frame`` where it looks like the background; start from it when none yet."""
        if self._image is None or self._streak is None or self._held is None:
            self.reset(frame)
            return
        dist = self.distance(frame) if distance is None else distance
        still = dist < self.threshold
        if still.mean() < 1.0 - RESET_FRACTION:
            self._changed += 1
            if self._changed >= self.reset_frames:
                logger.info(
                    "background: the picture changed for %d frames, restarting", self._changed
                )
                self.reset(frame)
            return
        self._changed = 0
        current = frame.astype(np.float32)
        mask = still.astype(np.uint8)
        cv2.accumulateWeighted(current, self._image, self.rate, mask=mask)
        kept = ~still & (_colour_distance(current, self._held) < self.threshold)
        self._streak = np.where(kept, self._streak + 1, np.where(still, 0, 1)).astype(np.int32)
        self._held[~kept] = current[~kept]
        stuck = self._streak >= self.absorb_frames
        if stuck.any():
            self._image[stuck] = current[stuck]
            self._streak[stuck] = 0


def _colour_distance(a: Array, b: Array) -> Array:
    """Per-pixel Euclidean distance of two float32 BGR images."""
    diff = (a - b).reshape(-1, 3)
    return cv2.sqrt(cv2.reduce(diff * diff, 1, cv2.REDUCE_SUM)).reshape(a.shape[:2])
