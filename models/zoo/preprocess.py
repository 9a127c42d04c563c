"""Preprocessing carried by every model: the one place images and masks become network input.

A ``PreprocessConfig`` travels with the model (checkpoint, ONNX metadata, JSON sidecar) so that
training, export and serving always prepare inputs the same way:

* images are BGR uint8 (OpenCV's order, as the synthetic data and the cameras give them),
  resized to ``input_size`` when they differ, turned to RGB, scaled to 0..1 and normalised with
  ``mean``/``std`` (RGB order, 0..1 scale);
* masks are uint8 0/255 (H, W), resized alike, repeated to three channels (as the paper does so
  that both sisters of the siamese network see the same input shape), then normalised the same way.

Resizing uses ``cv2.INTER_AREA`` for both, so a thin bar in a mask survives a down-scale as grey
rather than vanishing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import cv2
import numpy as np
import torch

Kind = Literal["siamese", "classifier"]
KINDS: tuple[str, ...] = ("siamese", "classifier")
DEFAULT_CLASS_MAP: Mapping[int, str] = {0: "closed", 1: "open"}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _class_map() -> dict[int, str]:
    return dict(DEFAULT_CLASS_MAP)


@dataclass(frozen=True)
class PreprocessConfig:
    """How a model wants its input; saved with the model. ``mean``/``std`` are RGB on 0..1."""

    model: str
    kind: Kind
    input_size: tuple[int, int] = (200, 200)  # (H, W)
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)
    channel_order: str = "RGB"
    embedding_size: int | None = None  # siamese models
    num_classes: int | None = None  # classifiers
    class_map: dict[int, str] = field(default_factory=_class_map)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.channel_order != "RGB":
            raise ValueError(f"channel_order must be 'RGB', got {self.channel_order!r}")
        if len(self.input_size) != 2 or min(self.input_size) < 1:
            raise ValueError(f"input_size must be (H, W) > 0, got {self.input_size}")
        if len(self.mean) != 3 or len(self.std) != 3 or min(self.std) <= 0:
            raise ValueError(f"mean and std need 3 values, std > 0: {self.mean}, {self.std}")
        if self.kind == "siamese" and not self.embedding_size:
            raise ValueError("a siamese model's config needs embedding_size")
        if self.kind == "classifier" and not self.num_classes:
            raise ValueError("a classifier's config needs num_classes")

    def __hash__(self) -> int:
        return hash(self.to_json())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: tuples become lists, ``class_map`` keys become strings."""
        d = asdict(self)
        d["input_size"] = list(self.input_size)
        d["mean"], d["std"] = list(self.mean), list(self.std)
        d["class_map"] = {str(k): v for k, v in sorted(self.class_map.items())}
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PreprocessConfig:
        """Inverse of ``to_dict``; unknown keys are rejected (``ValueError``)."""
        known = set(cls.__dataclass_fields__)
        extra = set(d) - known
        if extra:
            raise ValueError(f"unknown preprocess config keys {sorted(extra)}")
        kw = dict(d)
        for key in ("input_size", "mean", "std"):
            if key in kw:
                kw[key] = tuple(kw[key])
        if "class_map" in kw:
            kw["class_map"] = {int(k): str(v) for k, v in kw["class_map"].items()}
        return cls(**kw)

    @classmethod
    def from_json(cls, text: str) -> PreprocessConfig:
        return cls.from_dict(json.loads(text))

    def preprocess(self, images: np.ndarray) -> torch.Tensor:
        """BGR uint8 (N, H, W, 3) or (H, W, 3) → float32 (N, 3, h, w); see the module doc."""
        return preprocess(images, self)

    def mask_to_input(self, masks: np.ndarray) -> torch.Tensor:
        """uint8 0/255 (H, W) or (N, H, W) → float32 (N, 3, h, w); see the module doc."""
        return mask_to_input(masks, self)


def _resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    h, w = size
    if image.shape[:2] == (h, w):
        return image
    return cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)


def _normalise(
    channels: np.ndarray, order: tuple[int, int, int], config: PreprocessConfig
) -> torch.Tensor:
    """(N, h, w, C) uint8 → normalised float32 (N, 3, h, w): output channel ``c`` (RGB) is
    input channel ``order[c]``, scaled to 0..1 and normalised, in one pass per channel."""
    std = np.asarray(config.std, np.float64)
    scale = (1.0 / (255.0 * std)).astype(np.float32)
    shift = (np.asarray(config.mean, np.float64) / std).astype(np.float32)
    n, h, w = channels.shape[:3]
    x = np.empty((n, 3, h, w), np.float32)
    for c, source in enumerate(order):
        np.multiply(channels[..., source], scale[c], out=x[:, c], dtype=np.float32)
        x[:, c] -= shift[c]
    return torch.from_numpy(x)


def preprocess(images: np.ndarray, config: PreprocessConfig) -> torch.Tensor:
    """BGR uint8 (N, H, W, 3) or (H, W, 3) → float32 (N, 3, h, w), ``h, w = input_size``."""
    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.ndim != 4 or arr.shape[-1] != 3 or arr.dtype != np.uint8:
        raise ValueError(
            f"images must be BGR uint8 (N, H, W, 3) or (H, W, 3), got {arr.dtype} {arr.shape}"
        )
    bgr = np.stack([_resize(im, config.input_size) for im in arr])
    return _normalise(bgr, (2, 1, 0), config)


def mask_to_input(masks: np.ndarray, config: PreprocessConfig) -> torch.Tensor:
    """uint8 0/255 (H, W) or (N, H, W) → float32 (N, 3, h, w), the mask on all 3 channels."""
    arr = np.asarray(masks)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.dtype != np.uint8:
        raise ValueError(f"masks must be uint8 (H, W) or (N, H, W), got {arr.dtype} {arr.shape}")
    if arr.size and arr.max() == 1:
        raise ValueError("masks must be 0/255, got 0/1 values: multiply them by 255")
    resized = np.stack([_resize(m, config.input_size) for m in arr])
    return _normalise(resized[..., None], (0, 0, 0), config)
