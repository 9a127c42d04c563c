"""A tiny hand-written data set directory for the hashing tests (no rendering: fast).

Two lifts; per lift and split, two closed then two open images (random pixels) with random
segmentations, in ``samples.csv`` order as ``write_dataset`` writes them.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np

from models.synthetic.store import CSV_FIELDS, FORMAT_VERSION, lift_dir

LIFTS = (1, 2)
PER_SPLIT = 4


def write_tiny_dataset(root: Path, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    rows = []
    for lift in LIFTS:
        masks = lift_dir(root, lift) / "masks"
        masks.mkdir(parents=True)
        for state in ("open", "closed"):
            mask = np.zeros((200, 200), np.uint8)
            mask[50:150, 90:110] = 255
            cv2.imwrite(str(masks / f"{state}.png"), mask)
    for split in ("train", "val", "test"):
        for lift in LIFTS:
            folder = lift_dir(root, lift) / split
            folder.mkdir(parents=True)
            for i in range(PER_SPLIT):
                image = rng.integers(0, 256, (200, 200, 3), dtype=np.uint8)
                seg = np.full((200, 200), (i + lift) % 4, np.uint8)
                seg[:20] = 2
                cv2.imwrite(str(folder / f"{i:05d}.png"), image)
                cv2.imwrite(str(folder / f"{i:05d}.seg.png"), seg)
                rows.append(
                    {
                        "split": split,
                        "lift": lift,
                        "index": i,
                        "label": "closed" if i < PER_SPLIT // 2 else "open",
                        "bar_angle": 0.0,
                        "passengers": 0,
                        "light": "day",
                        "image": f"lifts/L{lift:02d}/{split}/{i:05d}.png",
                        "segmentation": f"lifts/L{lift:02d}/{split}/{i:05d}.seg.png",
                    }
                )
    with (root / "samples.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    manifest = {
        "format": FORMAT_VERSION,
        "spec": {"lifts": list(LIFTS), "variant": "small"},
        "leave_lifts_out": {"seen": list(LIFTS), "unseen": []},
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root
