"""The lift folders: ids that are slugs only, creation, versions kept, shipped (seed) masks
served until an upload, and a complete pair left for the next start."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from service.lifts.repository import LiftError, LiftExistsError, LiftRepository, history_name
from service.pipeline.lifts import find_masks

T0 = 1_767_348_000.0


def mask(column: int) -> np.ndarray:
    out = np.zeros((200, 200), np.uint8)
    out[:, column : column + 20] = 255
    return out


@pytest.mark.parametrize("lift", ["..", "../x", "a/b", "A", "", "x" * 65, "é"])
def test_ids_must_be_slugs(tmp_path: Path, lift: str) -> None:
    repository = LiftRepository(tmp_path)
    with pytest.raises(LiftError):
        repository.folder(lift)
    with pytest.raises(LiftError):
        repository.write_mask(lift, "open", mask(0))
    assert list(tmp_path.iterdir()) == []


def test_create_once_and_list(tmp_path: Path) -> None:
    repository = LiftRepository(tmp_path / "lifts")
    assert repository.ids() == []
    info = repository.create("lift-b", "B", at=T0)
    assert (info.id, info.name, info.created_at) == ("lift-b", "B", T0)
    repository.create("lift-a")
    (tmp_path / "lifts" / "Not A Slug").mkdir()
    assert repository.ids() == ["lift-a", "lift-b"]
    with pytest.raises(LiftExistsError):
        repository.create("lift-a")


def test_every_version_is_kept(tmp_path: Path) -> None:
    repository = LiftRepository(tmp_path)
    for k in range(3):
        info = repository.write_mask("lift-a", "open", mask(10 * k), at=T0 + k)
        assert info.version == k + 1 and info.source == "uploaded"
    history = repository.history("lift-a", "open")
    assert [p.name for p in history] == [history_name("open", T0 + 1), history_name("open", T0 + 2)]
    assert np.array_equal(cv2.imread(str(history[0]), cv2.IMREAD_GRAYSCALE), mask(0))
    assert np.array_equal(repository.read_mask("lift-a", "open"), mask(20))
    assert repository.mask_info("lift-a", "closed").exists is False
    assert not list(tmp_path.rglob("*.tmp"))


def test_history_names_never_collide(tmp_path: Path) -> None:
    repository = LiftRepository(tmp_path)
    for k in range(3):
        repository.write_mask("lift-a", "open", mask(k), at=T0)
    history = repository.history("lift-a", "open")
    assert len(history) == 2 and history[0].name == history_name("open", T0)
    assert np.array_equal(cv2.imread(str(history[0]), cv2.IMREAD_GRAYSCALE), mask(0))
    assert repository.mask_info("lift-a", "open").version == 3


def test_seed_masks_are_served_then_kept_and_paired(tmp_path: Path) -> None:
    shipped = tmp_path / "station_configs" / "masks" / "lift-a"
    shipped.mkdir(parents=True)
    cv2.imwrite(str(shipped / "open.png"), mask(0))
    cv2.imwrite(str(shipped / "closed.png"), mask(100))
    data = tmp_path / "data"
    repository = LiftRepository(data / "lifts", seeds={"lift-a": shipped})
    info = repository.mask_info("lift-a", "open")
    assert (info.source, info.version, info.path) == ("shipped", 0, shipped / "open.png")

    repository.write_mask("lift-a", "open", mask(50), at=T0)
    assert repository.mask_info("lift-a", "open").version == 2  # the shipped one was the first
    assert [p.name for p in repository.history("lift-a", "open")] == [history_name("open", T0)]
    # the next start finds a complete pair in the data directory, first
    station_file = tmp_path / "station_configs" / "st.yaml"
    assert find_masks("lift-a", station_file, data) == data / "lifts" / "lift-a" / "masks"
    assert np.array_equal(repository.read_mask("lift-a", "closed"), mask(100))
    assert (shipped / "open.png").is_file()  # never touched
