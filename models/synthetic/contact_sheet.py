"""A contact sheet of a written data set: per lift, open and closed images, masks, segmentation."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from models.synthetic.store import DatasetError, lift_dir, read_rows

Array = np.ndarray
THUMB = 120
LABEL_WIDTH = 70
HEADER = 28
COLUMNS = ["open", "open", "closed", "closed", "open mask", "closed mask", "segmentation"]
# BGR colours of background, carrier, bar, person
SEG_COLORS = np.array([[40, 30, 20], [160, 160, 160], [0, 200, 255], [200, 80, 220]], np.uint8)


def colour_segmentation(seg: Array) -> Array:
    return SEG_COLORS[np.clip(seg, 0, len(SEG_COLORS) - 1)]


def _thumb(image: Array) -> Array:
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return cv2.resize(image, (THUMB, THUMB), interpolation=cv2.INTER_AREA)


def _read(path: Path, flags: int = cv2.IMREAD_COLOR) -> Array:
    image = cv2.imread(str(path), flags)
    if image is None:
        raise DatasetError(f"cannot read {path}")
    return image


def _lift_row(root: Path, lift_id: int, rows: list[dict[str, str]]) -> Array:
    mine = [r for r in rows if int(r["lift"]) == lift_id]
    pick = [r for r in mine if r["label"] == "open"][:2] + [
        r for r in mine if r["label"] == "closed"
    ][:2]
    tiles = [_thumb(_read(root / r["image"])) for r in pick]
    tiles += [np.zeros((THUMB, THUMB, 3), np.uint8)] * (4 - len(tiles))
    masks = lift_dir(root, lift_id) / "masks"
    tiles += [_thumb(_read(masks / f"{m}.png", cv2.IMREAD_GRAYSCALE)) for m in ("open", "closed")]
    seg_row = pick[0] if pick else None
    seg = (
        colour_segmentation(_read(root / seg_row["segmentation"], cv2.IMREAD_GRAYSCALE))
        if seg_row
        else np.zeros((THUMB, THUMB, 3), np.uint8)
    )
    tiles.append(_thumb(seg))
    label = np.full((THUMB, LABEL_WIDTH, 3), 255, np.uint8)
    cv2.putText(
        label,
        f"L{lift_id:02d}",
        (8, THUMB // 2 + 8),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.7,
        (0, 0, 0),
        2,
        cv2.LINE_AA,
    )
    return np.hstack([label, *tiles])


def make_contact_sheet(root: Path, out: Path | None = None) -> Path:
    """Write ``root``/contact_sheet.png (or ``out``), test images first."""
    order = {"test": 0, "val": 1, "train": 2}
    rows = sorted(read_rows(root), key=lambda r: order.get(r["split"], 3))
    lifts = sorted({int(r["lift"]) for r in rows})
    if not lifts:
        raise DatasetError(f"{root}: the data set holds no images")
    body = np.vstack([_lift_row(root, k, rows) for k in lifts])
    header = np.full((HEADER, body.shape[1], 3), 255, np.uint8)
    for i, name in enumerate(COLUMNS):
        x = LABEL_WIDTH + i * THUMB + 6
        cv2.putText(
            header, name, (x, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA
        )
    target = out or root / "contact_sheet.png"
    cv2.imwrite(str(target), np.vstack([header, body]))
    return target
