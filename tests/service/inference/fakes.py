"""A tiny, instant engine and helpers to build masks and requests for the inference tests."""

from __future__ import annotations

import threading
import time

import numpy as np

from models.zoo.preprocess import PreprocessConfig
from service.inference.messages import CropRequest

SIZE = 8
CONFIG = PreprocessConfig(model="fake", kind="siamese", input_size=(SIZE, SIZE), embedding_size=2)


class FakeEngine:
    """Embeds a batch as (mean of its left half, mean of its right half) of channel 0.

    So a crop made of the open mask (bar on the left) lands on the open mask's embedding.
    Records every batch size; ``delay_s`` simulates inference time; ``fail`` makes it raise.
    """

    def __init__(self, model_id: str = "fake@0001", delay_s: float = 0.0) -> None:
        self.name = "fake-cpu"
        self.model_id = model_id
        self.config = CONFIG
        self.delay_s = delay_s
        self.fail = False
        self.calls: list[int] = []
        self._lock = threading.Lock()

    def embed(self, batch: np.ndarray) -> np.ndarray:
        with self._lock:
            self.calls.append(len(batch))
        if self.fail:
            raise RuntimeError("fake engine failure")
        if self.delay_s:
            time.sleep(self.delay_s)
        half = SIZE // 2
        left = batch[:, 0, :, :half].mean(axis=(1, 2))
        right = batch[:, 0, :, half:].mean(axis=(1, 2))
        return np.stack([left, right], axis=1).astype(np.float32)

    def embed_with_features(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The embeddings and a 2-channel feature map whose global average is the embedding:
        channel 0 is channel 0 of the image on its left half (×2), channel 1 on its right half."""
        embeddings = self.embed(batch)
        left = np.zeros((SIZE, SIZE), np.float32)
        left[:, : SIZE // 2] = 2.0
        maps = np.stack([batch[:, 0] * left, batch[:, 0] * left[:, ::-1]], axis=1)
        return embeddings, maps.astype(np.float32)


def half_masks(size: int = SIZE) -> tuple[np.ndarray, np.ndarray]:
    """(open, closed): the bar fills the left half when open, the right half when closed."""
    open_mask = np.zeros((size, size), np.uint8)
    closed_mask = np.zeros((size, size), np.uint8)
    open_mask[:, : size // 2] = 255
    closed_mask[:, size // 2 :] = 255
    return open_mask, closed_mask


def as_crop(mask: np.ndarray) -> np.ndarray:
    """A 0/255 mask as a BGR uint8 crop."""
    return np.repeat(mask[..., None], 3, axis=2)


def request(
    frame: int, lift: str = "lift-01", crop: np.ndarray | None = None, station: str = "st-1"
) -> CropRequest:
    """A request for ``frame`` (default crop: the open half-mask)."""
    image = as_crop(half_masks()[0]) if crop is None else crop
    return CropRequest(station, lift, frame, time.time(), image, passage=frame // 10)
