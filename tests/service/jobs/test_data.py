"""A job's data: presets checked strictly, directories only inside the data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.jobs import DataError, resolve_data


def test_presets_pass_when_valid(tmp_path: Path) -> None:
    text = "synthetic:small:lifts=2,test_scale=0.02"
    assert resolve_data(text, tmp_path) == text
    with pytest.raises(DataError, match="unknown preset option"):
        resolve_data("synthetic:small:nope=1", tmp_path)


def test_directories_must_be_inside_the_data_dir(tmp_path: Path) -> None:
    (tmp_path / "sets" / "a").mkdir(parents=True)
    assert resolve_data("sets/a", tmp_path) == str((tmp_path / "sets" / "a").resolve())
    assert resolve_data(str(tmp_path / "sets" / "a"), tmp_path).endswith("sets/a")
    for bad in ("../", "sets/../../etc", "/etc", "sets/missing", ""):
        with pytest.raises(DataError):
            resolve_data(bad, tmp_path)
    (tmp_path / "sets" / "link").symlink_to("/tmp")
    with pytest.raises(DataError, match="outside"):
        resolve_data("sets/link", tmp_path)
