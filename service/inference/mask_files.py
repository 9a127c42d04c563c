"""A lift's two masks as the operator gives them: validated arrays, or ``open.png``/``closed.png``.

A mask is the safety bar drawn in the registered crop's coordinates: uint8, 2-D, 0 (background)
or 255 (bar). Files are read as grayscale and binarised at 127, so an anti-aliased or JPEG-ish
drawing still becomes a clean 0/255 mask.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

THRESHOLD = 127
MASK_FILES = {"open": "open.png", "closed": "closed.png"}


def validate_mask(mask: np.ndarray, what: str) -> np.ndarray:
    """``mask`` if it is a uint8 2-D 0/255 array with some bar drawn; ``ValueError`` naming
    ``what`` otherwise."""
    if not isinstance(mask, np.ndarray):
        raise ValueError(f"{what} must be a numpy array, got {type(mask).__name__}")
    if mask.dtype != np.uint8 or mask.ndim != 2 or mask.size == 0:
        raise ValueError(f"{what} must be a uint8 (H, W) array, got {mask.dtype} {mask.shape}")
    values = np.unique(mask)
    if not np.isin(values, (0, 255)).all():
        shown = ", ".join(str(v) for v in values[:6])
        raise ValueError(f"{what} must hold only 0 and 255, found {shown}")
    if values[-1] != 255:
        raise ValueError(f"{what} is empty (all 0): draw the bar in white (255)")
    return mask


def validate_pair(open_mask: np.ndarray, closed_mask: np.ndarray, lift: str) -> None:
    """Both masks valid, of one shape, and different (identical masks would make every frame
    a tie, decided open)."""
    validate_mask(open_mask, f"lift {lift!r}: open mask")
    validate_mask(closed_mask, f"lift {lift!r}: closed mask")
    if open_mask.shape != closed_mask.shape:
        raise ValueError(
            f"lift {lift!r}: open mask {open_mask.shape} and closed mask {closed_mask.shape} "
            "differ in size"
        )
    if np.array_equal(open_mask, closed_mask):
        raise ValueError(f"lift {lift!r}: open and closed masks are identical")


def read_mask(path: Path) -> np.ndarray:
    """``path`` as a 0/255 uint8 mask (grayscale, binarised at ``THRESHOLD``)."""
    if not path.is_file():
        raise FileNotFoundError(f"mask file {path} does not exist")
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError(f"mask file {path} is not a readable image")
    _, binary = cv2.threshold(image, THRESHOLD, 255, cv2.THRESH_BINARY)
    return validate_mask(binary.astype(np.uint8, copy=False), f"mask file {path}")


def load_lift_masks(directory: Path) -> tuple[np.ndarray, np.ndarray]:
    """``(open, closed)`` from ``directory/open.png`` and ``directory/closed.png``."""
    folder = Path(directory)
    return read_mask(folder / MASK_FILES["open"]), read_mask(folder / MASK_FILES["closed"])
