"""Uploaded images made safe: size read from the header before decoding, then decoded, and
masks binarised, checked and resized to the crop; PNG/JPEG out, and a mask over a reference.

An upload's width and height are read from its PNG or JPEG header first, so a small file that
would decode to an enormous image (a decompression bomb) is refused before OpenCV allocates it.
"""

from __future__ import annotations

import struct

import cv2
import numpy as np

MAX_SIDE = 4096
"""Largest width or height of an uploaded image, in pixels."""
THRESHOLD = 127
"""Grey level above which a mask pixel is bar (255): the pipeline's ``mask_files.THRESHOLD``."""
MAX_WHITE = 0.98
"""A mask at least this white is the whole frame, not a bar."""
MAX_ASPECT_ERROR = 0.05
"""Masks are drawn on the square crop: width and height may differ by this fraction at most."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OVERLAY_BGR = (0, 140, 255)
"""Orange: the mask's colour over the reference."""


class ImageProblemError(ValueError):
    """An upload that is not an acceptable image; the message says why, for the client."""


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ImageProblemError("a truncated PNG (no IHDR header)")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})


def _jpeg_size(data: bytes) -> tuple[int, int]:
    k = 2
    while k + 4 <= len(data):
        if data[k] != 0xFF:
            break
        marker = data[k + 1]
        if marker == 0xFF:  # fill byte
            k += 1
            continue
        if marker in STANDALONE_MARKERS:
            k += 2
            continue
        (length,) = struct.unpack(">H", data[k + 2 : k + 4])
        if marker in SOF_MARKERS and k + 9 <= len(data):
            height, width = struct.unpack(">HH", data[k + 5 : k + 9])
            return width, height
        if marker == 0xDA or length < 2:  # image data before any frame header
            break
        k += 2 + length
    raise ImageProblemError("a JPEG without a readable frame header")


def image_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` from a PNG or JPEG header; ``ImageProblemError`` for anything else."""
    if data.startswith(PNG_SIGNATURE):
        return _png_size(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg_size(data)
    raise ImageProblemError("not a PNG or JPEG image")


def decode_image(data: bytes, grey: bool, max_side: int = MAX_SIDE) -> np.ndarray:
    """``data`` (PNG or JPEG) as uint8 grey (H, W) or BGR (H, W, 3); ``ImageProblemError`` if it is
    not one, is empty, or is larger than ``max_side`` on a side."""
    if not data:
        raise ImageProblemError("the file is empty")
    width, height = image_size(data)
    if width < 1 or height < 1:
        raise ImageProblemError(f"the image is {width}×{height}: it has no pixel")
    if width > max_side or height > max_side:
        raise ImageProblemError(
            f"the image is {width}×{height} pixels; at most {max_side}×{max_side} is accepted"
        )
    flags = cv2.IMREAD_GRAYSCALE if grey else cv2.IMREAD_COLOR
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if image is None or image.size == 0:
        raise ImageProblemError("the file does not decode as an image (corrupt PNG or JPEG?)")
    return np.asarray(image, dtype=np.uint8)


def prepare_mask(grey: np.ndarray, size: int) -> np.ndarray:
    """A drawn mask as the pipeline wants it: binarised at ``THRESHOLD`` to 0/255, resized to
    ``size``×``size`` (nearest), some bar but not the whole frame; else ``ImageProblemError``."""
    height, width = grey.shape[:2]
    if abs(width - height) > MAX_ASPECT_ERROR * max(width, height):
        raise ImageProblemError(
            f"the mask is {width}×{height}: draw it on the square registered crop "
            f"({size}×{size}, or any square size)"
        )
    _, binary = cv2.threshold(grey, THRESHOLD, 255, cv2.THRESH_BINARY)
    if binary.shape != (size, size):
        binary = cv2.resize(binary, (size, size), interpolation=cv2.INTER_NEAREST)
    mask = np.ascontiguousarray(binary, dtype=np.uint8)
    white = np.count_nonzero(mask) / mask.size
    if white == 0:
        raise ImageProblemError(
            f"the mask is empty once binarised at {THRESHOLD} and resized to {size}×{size}: "
            "draw the bar in white on black"
        )
    if white >= MAX_WHITE:
        raise ImageProblemError(
            f"the mask is {100 * white:.1f}% white: that is the whole frame, not the bar "
            "(draw the bar in white on black)"
        )
    return mask


def encode(image: np.ndarray, extension: str) -> bytes:
    """``image`` as ``.png`` or ``.jpg`` bytes."""
    ok, buffer = cv2.imencode(extension, image)
    if not ok:
        raise ValueError(f"OpenCV could not encode a {image.shape} image as {extension}")
    return buffer.tobytes()


def overlay(reference: np.ndarray, mask: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """``mask`` (0/255) painted in translucent orange over ``reference`` (BGR); the mask is
    resized (nearest) to the reference's size when they differ."""
    height, width = reference.shape[:2]
    if mask.shape[:2] != (height, width):
        mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_NEAREST)
    out = reference.copy()
    bar = mask > 0
    colour = np.array(OVERLAY_BGR, np.float32)
    out[bar] = ((1 - alpha) * reference[bar] + alpha * colour).astype(np.uint8)
    return out
