"""A data set extended with more training images (registered crops of station videos).

``extend_dataset(base, out, extra, note)`` writes a new data set directory that trains on the
base data set's images plus ``extra``, and validates and tests exactly as the base does:

* the base's files are hard-linked (copied where links cannot be made), so the extension costs
  only its new images;
* each extra image goes to ``lifts/LNN/extra/NNNNN.jpg`` as a ``train`` row of ``samples.csv``
  (light ``extra``, no segmentation: the hashing task, which learns from segmentations, refuses
  such a data set with a clear error rather than skip rows);
* the manifest is the base's, with ``extended_from`` (the base), ``extra`` (counts per lift and
  label) and ``note`` (where the images came from) added.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.synthetic.samples import LABELS
from models.synthetic.store import CSV_FIELDS, DatasetError, lift_dir, read_manifest, read_rows

EXTRA_DIR = "extra"


@dataclass(frozen=True)
class ExtraImage:
    """One more training image: its lift, label, bar angle and JPEG bytes."""

    lift: int
    label: str
    bar_angle: float
    jpeg: bytes


# written anew for the extension, never linked: writing through a link would change the base
OWN_FILES = ("samples.csv", "manifest.json")


def _link_tree(base: Path, out: Path) -> None:
    for path in sorted(base.rglob("*")):
        if path.parent == base and path.name in OWN_FILES:
            continue
        target = out / path.relative_to(base)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def _check(base: Path, out: Path, extra: Sequence[ExtraImage], lifts: set[int]) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DatasetError(f"{out} is not empty: the extended data set needs a new directory")
    if out.resolve() == base.resolve():
        raise DatasetError("the extended data set cannot overwrite its base")
    for image in extra:
        if image.lift not in lifts:
            raise DatasetError(f"an extra image of lift {image.lift}: {base} has no such lift")
        if image.label not in LABELS:
            raise DatasetError(f"an extra image labelled {image.label!r}: not one of {LABELS}")


def extend_dataset(
    base: Path, out: Path, extra: Sequence[ExtraImage], note: dict[str, Any]
) -> dict[str, Any]:
    """Write ``base`` + ``extra`` training images to ``out``; returns the new manifest."""
    manifest = read_manifest(base)
    rows = read_rows(base)
    spec = manifest.get("spec")
    if not isinstance(spec, dict):
        raise DatasetError(f"{base}/manifest.json has no spec")
    _check(base, out, extra, {int(k) for k in spec["lifts"]})
    out.mkdir(parents=True, exist_ok=True)
    _link_tree(base, out)
    index: Counter[int] = Counter()
    for image in extra:
        folder = lift_dir(out, image.lift) / EXTRA_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{index[image.lift]:05d}.jpg"
        path.write_bytes(image.jpeg)
        rows.append(
            {
                "split": "train",
                "lift": str(image.lift),
                "index": str(index[image.lift]),
                "label": image.label,
                "bar_angle": str(round(image.bar_angle, 4)),
                "passengers": "",
                "light": EXTRA_DIR,
                "image": path.relative_to(out).as_posix(),
                "segmentation": "",
            }
        )
        index[image.lift] += 1
    with (out / "samples.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    counts: dict[str, dict[str, int]] = {}
    for image in extra:
        per = counts.setdefault(str(image.lift), {label: 0 for label in LABELS})
        per[image.label] += 1
    manifest = manifest | {
        "images": len(rows),
        "extended_from": str(base.resolve()),
        "extra": counts,
        "note": note,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest
