"""A data set on disk: write it (with a manifest and an index) and read it back.

Layout::

    DIR/manifest.json                  what was generated (spec, lifts, counts, held-out lifts)
    DIR/samples.csv                    one row per image: split, lift, index, label, bar angle, ...
    DIR/lifts/L01/masks/open.png       the operator's masks (0/255, 200×200)
    DIR/lifts/L01/train/00000.jpg      registered image
    DIR/lifts/L01/train/00000.seg.png  its segmentation (0 background, 1 carrier, 2 bar, 3 person)
    DIR/contact_sheet.png              every lift at a glance
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np

from models.synthetic.dataset import ArraySplit, DatasetSpec, Job, iter_samples, jobs
from models.synthetic.samples import LABELS, Sample
from models.synthetic.scene import World, render_masks
from models.synthetic.splits import SPLITS, leave_lifts_out

FORMAT_VERSION = 1
CSV_FIELDS = [
    "split",
    "lift",
    "index",
    "label",
    "bar_angle",
    "passengers",
    "light",
    "image",
    "segmentation",
]


class DatasetError(ValueError):
    """A data set directory that cannot be read or written; the message says why."""


def lift_dir(root: Path, lift_id: int) -> Path:
    return root / "lifts" / f"L{lift_id:02d}"


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").exists():
        raise DatasetError(
            f"{out} is not empty and holds no liftwatch manifest.json: "
            "choose an empty or new directory"
        )


def _write_image(path: Path, image: np.ndarray, params: list[int] | None = None) -> None:
    ok, buf = cv2.imencode(path.suffix, image, params or [])
    if not ok:
        raise DatasetError(f"could not encode {path}")
    path.write_bytes(buf.tobytes())


def write_masks(world: World, spec: DatasetSpec, out: Path) -> None:
    for lift_id in spec.lifts:
        folder = lift_dir(out, lift_id) / "masks"
        folder.mkdir(parents=True, exist_ok=True)
        open_mask, closed_mask = render_masks(world.lift(lift_id), spec.crop)
        _write_image(folder / "open.png", open_mask)
        _write_image(folder / "closed.png", closed_mask)


def _sample_row(out: Path, job: Job, sample: Sample, quality: int) -> dict[str, object]:
    folder = lift_dir(out, job.lift_id) / job.split
    image = folder / f"{job.index:05d}.jpg"
    seg = folder / f"{job.index:05d}.seg.png"
    _write_image(image, sample.image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    _write_image(seg, sample.segmentation)
    return {
        "split": job.split,
        "lift": job.lift_id,
        "index": job.index,
        "label": sample.label,
        "bar_angle": round(sample.bar_angle, 4),
        "passengers": sample.passengers,
        "light": sample.light,
        "image": image.relative_to(out).as_posix(),
        "segmentation": seg.relative_to(out).as_posix(),
    }


def write_dataset(
    spec: DatasetSpec,
    out: Path,
    workers: int = 1,
    quality: int = 95,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, object]:
    """Generate ``spec`` into ``out``; returns the manifest. Images are JPEG at ``quality``."""
    _check_target(out)
    out.mkdir(parents=True, exist_ok=True)
    world = World(spec.world_seed)
    write_masks(world, spec, out)
    job_list = [j for split in SPLITS for lift in spec.lifts for j in jobs(spec, split, lift)]
    for lift in spec.lifts:
        for split in SPLITS:
            (lift_dir(out, lift) / split).mkdir(parents=True, exist_ok=True)
    rows = []
    for done, (job, sample) in enumerate(iter_samples(spec, job_list, workers), start=1):
        rows.append(_sample_row(out, job, sample, quality))
        if progress is not None:
            progress(done, len(job_list))
    with (out / "samples.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    seen, unseen = (
        leave_lifts_out(list(spec.lifts), spec.seed)
        if len(spec.lifts) > 5
        else (list(spec.lifts), [])
    )
    counts = {
        s: {
            str(k): dict(zip(("open", "closed"), spec.sizes(k)[s], strict=True)) for k in spec.lifts
        }
        for s in SPLITS
    }
    manifest: dict[str, object] = {
        "format": FORMAT_VERSION,
        "generator": "liftwatch synthetic world",
        "spec": asdict(spec),
        "images": len(rows),
        "counts": counts,
        "leave_lifts_out": {"seen": seen, "unseen": unseen},
        "labels": list(LABELS),
        "segmentation_classes": ["background", "carrier", "bar", "person"],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def read_manifest(root: Path) -> dict[str, object]:
    path = root / "manifest.json"
    if not path.is_file():
        raise DatasetError(f"{root} holds no manifest.json: not a liftwatch data set")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise DatasetError(f"{path}: unsupported format (expected format {FORMAT_VERSION})")
    return manifest


def read_rows(root: Path) -> list[dict[str, str]]:
    read_manifest(root)
    with (root / "samples.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def _read_image(path: Path, flags: int) -> np.ndarray:
    image = cv2.imread(str(path), flags)
    if image is None:
        raise DatasetError(f"cannot read image {path}")
    return image


def load_split(root: Path, split: str, lifts: list[int] | None = None) -> ArraySplit:
    """A split of a data set written by ``write_dataset``, in memory."""
    if split not in SPLITS:
        raise DatasetError(f"split must be one of {SPLITS}, got {split!r}")
    rows = [
        r
        for r in read_rows(root)
        if r["split"] == split and (lifts is None or int(r["lift"]) in lifts)
    ]
    images = (
        np.stack([_read_image(root / r["image"], cv2.IMREAD_COLOR) for r in rows])
        if rows
        else np.zeros((0, 1, 1, 3), np.uint8)
    )
    return ArraySplit(
        images=images,
        labels=np.array([LABELS.index(r["label"]) for r in rows], np.int64),
        lifts=np.array([int(r["lift"]) for r in rows], np.int64),
        bar_angles=np.array([float(r["bar_angle"]) for r in rows], np.float32),
    )


def load_masks(root: Path, lift_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(open, closed) masks of ``lift_id`` as uint8 0/255 arrays."""
    folder = lift_dir(root, lift_id) / "masks"
    return (
        _read_image(folder / "open.png", cv2.IMREAD_GRAYSCALE),
        _read_image(folder / "closed.png", cv2.IMREAD_GRAYSCALE),
    )
