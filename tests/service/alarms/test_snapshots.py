"""Snapshots: JPEGs written atomically under root/<station>/, ids and paths checked."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from service.alarms import SnapshotStore

ALARM_ID = "0123456789abcdef0123456789abcdef"
BAD_IDS = ["../x", "a/b", "", "..", "a..b", ".hidden", "-x", "a\\b", "a\n", "x" * 65, "é"]


def image(height: int, width: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (height, width, 3), dtype=np.uint8)


def test_save_writes_decodable_jpegs(tmp_path: Path) -> None:
    snapshots = SnapshotStore(tmp_path / "snaps")
    crop_path, frame_path = snapshots.save(ALARM_ID, "st-1", image(200, 200), image(48, 64))
    assert crop_path == f"st-1/{ALARM_ID}_crop.jpg"
    assert frame_path == f"st-1/{ALARM_ID}_frame.jpg"
    crop = cv2.imread(str(tmp_path / "snaps" / crop_path))
    frame = cv2.imread(str(snapshots.path(frame_path)))
    assert crop is not None and crop.shape == (200, 200, 3)
    assert frame is not None and frame.shape == (48, 64, 3)
    assert sorted(os.listdir(tmp_path / "snaps" / "st-1")) == sorted(
        [f"{ALARM_ID}_crop.jpg", f"{ALARM_ID}_frame.jpg"]
    )  # no temporary file left behind


def test_missing_images_are_not_written(tmp_path: Path) -> None:
    snapshots = SnapshotStore(tmp_path)
    assert snapshots.save(ALARM_ID, "st-1", None, None) == (None, None)
    crop_path, frame_path = snapshots.save(ALARM_ID, "st-1", image(8, 8), None)
    assert crop_path is not None and frame_path is None
    assert not (tmp_path / "st-1" / f"{ALARM_ID}_frame.jpg").exists()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_path_like_ids_are_rejected(tmp_path: Path, bad: str) -> None:
    snapshots = SnapshotStore(tmp_path / "snaps")
    with pytest.raises(ValueError, match="invalid station id") as station_error:
        snapshots.save(ALARM_ID, bad, image(8, 8), None)
    assert repr(bad) in str(station_error.value)
    with pytest.raises(ValueError, match="invalid alarm id"):
        snapshots.save(bad, "st-1", image(8, 8), None)
    assert not (tmp_path / "snaps").exists() or not any((tmp_path / "snaps").rglob("*.jpg"))


@pytest.mark.parametrize(
    "relative",
    [
        "../st-1/x_crop.jpg",
        "/etc/passwd",
        "st-1/../x_crop.jpg",
        "st-1/x.png",
        "st-1/x_thumb.jpg",
        "st-1/sub/x_crop.jpg",
        "st-1",
        "",
        "..",
        "st-1/.._crop.jpg",
    ],
)
def test_path_rejects_what_save_never_returns(tmp_path: Path, relative: str) -> None:
    with pytest.raises(ValueError, match="invalid"):
        SnapshotStore(tmp_path).path(relative)


def test_path_resolves_inside_the_root_only(tmp_path: Path) -> None:
    root, outside = tmp_path / "snaps", tmp_path / "elsewhere"
    root.mkdir()
    outside.mkdir()
    snapshots = SnapshotStore(root)
    assert snapshots.path("st-1/a_frame.jpg") == (root / "st-1" / "a_frame.jpg").resolve()
    (root / "st-2").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError, match="outside"):
        snapshots.path("st-2/a_frame.jpg")
    with pytest.raises(ValueError, match="outside"):
        snapshots.save(ALARM_ID, "st-2", image(8, 8), None)
    assert not any(outside.iterdir())


@pytest.mark.parametrize(
    "bad_image",
    [np.zeros((8, 8, 3), np.float32), np.zeros((0, 8, 3), np.uint8), np.zeros((8, 8, 2), np.uint8)],
)
def test_images_that_are_no_picture_are_rejected(tmp_path: Path, bad_image: np.ndarray) -> None:
    with pytest.raises(ValueError, match="snapshot must be"):
        SnapshotStore(tmp_path).save(ALARM_ID, "st-1", bad_image, None)


def test_a_failed_write_leaves_neither_file_nor_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        SnapshotStore(tmp_path).save(ALARM_ID, "st-1", image(8, 8), None)
    assert list((tmp_path / "st-1").iterdir()) == []
