"""Registered crops → one preprocessed batch, with the checks that keep a bad crop out of it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from models.zoo.preprocess import PreprocessConfig


def crop_problem(crop: object) -> str | None:
    """Why ``crop`` is not a BGR uint8 (H, W, 3) image, or ``None`` when it is one."""
    if not isinstance(crop, np.ndarray):
        return f"a crop must be a numpy array, got {type(crop).__name__}"
    if crop.dtype != np.uint8 or crop.ndim != 3 or crop.shape[2] != 3 or crop.size == 0:
        return f"a crop must be BGR uint8 (H, W, 3), got {crop.dtype} {crop.shape}"
    return None


def check_crop(crop: np.ndarray) -> np.ndarray:
    """``crop`` when it is BGR uint8 (H, W, 3); ``ValueError`` saying what it is otherwise."""
    problem = crop_problem(crop)
    if problem:
        raise ValueError(problem)
    return crop


def crop_batch(config: PreprocessConfig, crops: Sequence[np.ndarray]) -> np.ndarray:
    """Float32 (N, 3, H, W) network input of ``crops`` (BGR uint8, sizes may differ).

    Crops of one size (the usual case: every station registers to its ``crop`` size) are
    preprocessed in one call; mixed sizes are preprocessed one by one, then joined.
    """
    if not crops:
        raise ValueError("no crops to preprocess")
    if len({c.shape for c in crops}) == 1:
        return config.preprocess(np.stack(crops)).numpy()
    return torch.cat([config.preprocess(c) for c in crops]).numpy()
