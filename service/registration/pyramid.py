"""The two resolutions registration works at: coarse (search) and fine (alignment)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from service.registration.geometry import clip_box
from service.registration.types import Box

Array = np.ndarray


@dataclass(frozen=True)
class Scales:
    """Downscaling factors of a ``width``×``height`` frame."""

    width: int
    height: int
    coarse: int = 4
    fine: int = 2

    def __post_init__(self) -> None:
        if self.coarse < 1 or self.fine < 1:
            raise ValueError(f"scale factors must be >= 1, got {self.coarse}, {self.fine}")

    @property
    def small_size(self) -> tuple[int, int]:
        return self.width // self.coarse, self.height // self.coarse

    def small(self, image: Array) -> Array:
        """``image`` at the coarse scale (area-averaged, pixel centres aligned)."""
        c, (w, h) = self.coarse, self.small_size
        return cv2.resize(image[: h * c, : w * c], (w, h), interpolation=cv2.INTER_AREA)

    def small_box(self, box: Box, inner: bool) -> Box:
        """``box`` in coarse pixels: the largest inside it, or the smallest around it."""
        c = self.coarse
        corners = np.array([box[0], box[1], box[0] + box[2], box[1] + box[3]]) / c
        if inner:
            x0, y0, x1, y1 = np.concatenate([np.ceil(corners[:2]), np.floor(corners[2:])])
        else:
            x0, y0, x1, y1 = np.concatenate([np.floor(corners[:2]), np.ceil(corners[2:])])
        w, h = self.small_size
        return clip_box((int(x0), int(y0), int(x1 - x0), int(y1 - y0)), w, h)

    def fine_grey(self, image: Array, box: Box) -> Array:
        """The ``box`` of a BGR (or grey) image, grey at the fine scale, float32."""
        x, y, w, h = box
        part = image[y : y + h, x : x + w]
        grey = part if part.ndim == 2 else cv2.cvtColor(part, cv2.COLOR_BGR2GRAY)
        size = (w // self.fine, h // self.fine)
        return cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float32)
