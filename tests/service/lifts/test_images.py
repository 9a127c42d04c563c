"""Uploads made safe: sizes read from PNG and JPEG headers before decoding, masks binarised,
resized and checked, overlays drawn."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from service.lifts.images import (
    THRESHOLD,
    ImageProblemError,
    decode_image,
    image_size,
    overlay,
    prepare_mask,
)


def encoded(image: np.ndarray, extension: str, *params: int) -> bytes:
    ok, data = cv2.imencode(extension, image, list(params))
    assert ok
    return data.tobytes()


@pytest.mark.parametrize(
    "params",
    [(), (cv2.IMWRITE_JPEG_PROGRESSIVE, 1), (cv2.IMWRITE_JPEG_OPTIMIZE, 1)],
)
def test_jpeg_sizes_come_from_the_header(params: tuple[int, ...]) -> None:
    image = np.zeros((37, 91, 3), np.uint8)
    assert image_size(encoded(image, ".jpg", *params)) == (91, 37)


def test_png_size_and_decoding() -> None:
    data = encoded(np.full((5, 7), 200, np.uint8), ".png")
    assert image_size(data) == (7, 5)
    assert decode_image(data, grey=False).shape == (5, 7, 3)
    assert decode_image(data, grey=True).shape == (5, 7)


def test_a_huge_image_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    data = encoded(np.zeros((10, 5000), np.uint8), ".png")
    monkeypatch.setattr(cv2, "imdecode", lambda *a: pytest.fail("decoded"))
    with pytest.raises(ImageProblemError, match="5000×10"):
        decode_image(data, grey=True)


@pytest.mark.parametrize(
    "data", [b"GIF89a....", b"\xff\xd8\xff\xe0\x00\x10JFIF", b"\xff\xd8\xff\xda\x00\x02"]
)
def test_no_size_no_image(data: bytes) -> None:
    with pytest.raises(ImageProblemError):
        decode_image(data, grey=True)


def test_prepare_mask_binarises_at_the_pipeline_threshold_and_resizes() -> None:
    from service.inference.mask_files import THRESHOLD as PIPELINE_THRESHOLD

    assert THRESHOLD == PIPELINE_THRESHOLD
    drawn = np.zeros((100, 100), np.uint8)
    drawn[:, :30] = THRESHOLD + 1
    drawn[:, 30:60] = THRESHOLD  # not above the threshold: background
    mask = prepare_mask(drawn, 200)
    assert mask.shape == (200, 200) and mask.dtype == np.uint8
    assert mask[:, :60].min() == 255 and mask[:, 60:].max() == 0


def test_a_bar_too_thin_for_the_crop_is_empty() -> None:
    drawn = np.zeros((4000, 4000), np.uint8)
    drawn[:, 7] = 255  # one pixel in 4000: gone at 200
    with pytest.raises(ImageProblemError, match="empty"):
        prepare_mask(drawn, 200)


def test_overlay_tints_the_bar_only() -> None:
    reference = np.full((200, 200, 3), 100, np.uint8)
    mask = np.zeros((50, 50), np.uint8)
    mask[:25] = 255  # resized to the reference: the top half
    out = overlay(reference, mask)
    assert np.array_equal(out[100:], reference[100:])
    assert (out[:100] != reference[:100]).any(axis=2).all()
