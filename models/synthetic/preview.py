"""A picture of a station video: every passage at its departure frame, with its ground truth.

The registered ROI is drawn on each frame, red when the bar leaves open (a violation the
product must alarm on), green when it leaves closed, and the registered crop is shown beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

Array = np.ndarray
TILE_WIDTH = 320
RED, GREEN = (40, 40, 230), (60, 180, 60)


def _frame_at(capture: cv2.VideoCapture, index: int) -> Array | None:
    capture.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, frame = capture.read()
    return frame if ok else None


def _tile(frame: Array, roi: list[int], passage: dict[str, object]) -> Array:
    x, y, w, h = roi
    crop = cv2.resize(frame[y : y + h, x : x + w], (200, 200), interpolation=cv2.INTER_AREA)
    colour = RED if passage["violation"] else GREEN
    annotated = frame.copy()
    cv2.rectangle(annotated, (x, y), (x + w, y + h), colour, 2)
    scale = TILE_WIDTH / annotated.shape[1]
    small = cv2.resize(annotated, (TILE_WIDTH, round(annotated.shape[0] * scale)))
    crop = cv2.resize(crop, (small.shape[0], small.shape[0]))
    tile = np.hstack([small, crop])
    text = f"passage {passage['passage']}: bar {'OPEN' if passage['violation'] else 'closed'}"
    cv2.rectangle(tile, (0, 0), (tile.shape[1], 20), (255, 255, 255), -1)
    cv2.putText(tile, text, (5, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 1, cv2.LINE_AA)
    return tile


def make_video_preview(station_dir: Path, columns: int = 2, limit: int = 12) -> Path:
    """Write ``station_dir``/preview.png from station.mp4, truth.json and station.yaml."""
    import yaml

    truth = json.loads((station_dir / "truth.json").read_text())
    config = yaml.safe_load((station_dir / "station.yaml").read_text())
    roi = [int(v) for v in config["registration"]["roi"]]
    capture = cv2.VideoCapture(str(station_dir / "station.mp4"))
    if not capture.isOpened():
        raise RuntimeError(f"cannot open {station_dir / 'station.mp4'}")
    try:
        tiles = []
        for passage in truth["passages"][:limit]:
            frame = _frame_at(capture, int(passage["departure_frame"]))
            if frame is not None:
                tiles.append(_tile(frame, roi, passage))
    finally:
        capture.release()
    if not tiles:
        raise RuntimeError(f"{station_dir / 'station.mp4'}: no departure frame could be read")
    blank = np.full_like(tiles[0], 255)
    tiles += [blank] * (-len(tiles) % columns)
    rows = [np.hstack(tiles[i : i + columns]) for i in range(0, len(tiles), columns)]
    out = station_dir / "preview.png"
    cv2.imwrite(str(out), np.vstack(rows))
    return out
