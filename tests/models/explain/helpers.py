"""A hand-made data set for the explanation tests: three test images of lift 1."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np

from models.explain.evaluate import BAR
from models.synthetic.store import CSV_FIELDS

SIZE = 40


def write_set(root: Path) -> None:
    """Lift 1, test split: bar at the top-left (open), bar at the bottom-right (closed), no bar."""
    (root / "lifts/L01/test").mkdir(parents=True)
    (root / "lifts/L01/masks").mkdir(parents=True)
    left = np.zeros((200, 200), np.uint8)
    left[:, :100] = 255
    cv2.imwrite(str(root / "lifts/L01/masks/open.png"), left)
    cv2.imwrite(str(root / "lifts/L01/masks/closed.png"), left[:, ::-1])
    (root / "manifest.json").write_text(json.dumps({"format": 1}))
    segs = [np.zeros((SIZE, SIZE), np.uint8) for _ in range(3)]
    segs[0][:4, :4] = BAR
    segs[1][-4:, -4:] = BAR
    rows = []
    for i, (seg, label) in enumerate(zip(segs, ["open", "closed", "open"], strict=True)):
        image, mask = f"lifts/L01/test/{i:05d}.jpg", f"lifts/L01/test/{i:05d}.seg.png"
        cv2.imwrite(str(root / image), np.full((SIZE, SIZE, 3), 100, np.uint8))
        cv2.imwrite(str(root / mask), seg)
        rows.append(
            {"split": "test", "lift": 1, "index": i, "label": label, "bar_angle": 0,
             "passengers": 0, "light": "day", "image": image, "segmentation": mask}
        )  # fmt: skip
    with (root / "samples.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
