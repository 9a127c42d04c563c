"""Where each lift's two masks are found.

A lift's masks are ``open.png`` and ``closed.png`` (binary, drawn in the registered crop). In
order: ``<data-dir>/lifts/<lift>/masks/`` (where uploads go), then ``<stations-dir>/masks/<lift>/``
(shipped beside the station configs), then ``masks/`` beside a station's own YAML (the layout
``liftwatch synth video`` writes).
"""

from __future__ import annotations

from pathlib import Path

MASK_FILES = ("open.png", "closed.png")


def has_masks(folder: Path) -> bool:
    return all((folder / name).is_file() for name in MASK_FILES)


def mask_candidates(lift: str, station_file: Path, data_dir: Path | None) -> list[Path]:
    """The folders looked in for ``lift``'s masks, first choice first."""
    found = [] if data_dir is None else [data_dir / "lifts" / lift / "masks"]
    return [*found, station_file.parent / "masks" / lift, station_file.parent / "masks"]


def find_masks(lift: str, station_file: Path, data_dir: Path | None = None) -> Path | None:
    """The first folder of :func:`mask_candidates` holding both masks, or None."""
    return next((f for f in mask_candidates(lift, station_file, data_dir) if has_masks(f)), None)
