"""Labelled registered crops from a station video and its ground truth, for training.

The shipped model scores 99.7 % on the data set's test images, yet on station videos some lights
(dusk, fog) bring its frame accuracy down to 54-79 %: video crops carry the pipeline's own
registration residual, the neighbours inside the crop, compression and the video's one light,
none of which the data set's images have. Training on crops the pipeline itself registered is
the remedy, and this is where they come from:

1. replay the station video through the whole pipeline (``service.pipeline.replay``) with a
   classifier that keeps every registered crop it is asked to judge (``RecordingClassifier``);
2. match the replay's passages to the truth's by departure frame, as ``liftwatch score`` does;
3. label each decided frame of a matched passage by the truth's bar angle at that frame
   (``models.synthetic.samples.label_of``: the ambiguous middle is left out).

Frames of passages that match no carrier, and frames whose angle is ambiguous, give no crop.
The videos must not be the ones the pipeline is scored on (other ``--seed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from models.synthetic.samples import label_of
from service.config import StationConfig
from service.inference import CropClassifier
from service.inference.messages import CropRequest, FrameDecision
from service.pipeline.replay import replay
from service.pipeline.score import TRUTH_KEYS, default_tolerance, match

JPEG_QUALITY = 95  # as the data sets' images


@dataclass(frozen=True)
class LabelledCrop:
    """One registered crop of a station video, labelled by the video's ground truth."""

    lift: int
    frame: int
    label: str
    bar_angle: float
    jpeg: bytes

    def image(self) -> np.ndarray:
        decoded = cv2.imdecode(np.frombuffer(self.jpeg, np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            raise ValueError(f"crop of frame {self.frame} does not decode")
        return decoded


class RecordingClassifier(CropClassifier):
    """A ``CropClassifier`` that also keeps each crop it is asked to judge, JPEG-encoded, by
    frame (a replay registers at most one crop per frame)."""

    def __init__(self, inner: CropClassifier) -> None:
        super().__init__(inner.engine, inner.masks)
        self.crops: dict[int, bytes] = {}

    def classify(self, requests: Sequence[CropRequest]) -> list[FrameDecision]:
        for request in requests:
            ok, buf = cv2.imencode(".jpg", request.crop, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if ok:
                self.crops[request.frame] = buf.tobytes()
        return super().classify(requests)


def label_crops(
    truth: dict[str, Any],
    result: dict[str, Any],
    crops: dict[int, bytes],
    lift: int,
    tolerance: int | None = None,
) -> list[LabelledCrop]:
    """The crops of ``result``'s decided frames that the truth labels (see the module doc)."""
    fps = float(truth.get("fps") or 15)
    pairs = match(
        truth["passages"],
        result["passages"],
        default_tolerance(fps) if tolerance is None else tolerance,
    )
    out = []
    for i, j in pairs:
        t, r = truth["passages"][i], result["passages"][j]
        angles = t.get("bar_angles")
        if not isinstance(angles, list):
            continue
        for f in r.get("frames", []):
            frame = int(f["frame"])
            k = frame - int(t["first_frame"])
            if not 0 <= k < len(angles) or frame not in crops:
                continue
            label = label_of(float(angles[k]))
            if label is not None:
                out.append(LabelledCrop(lift, frame, label, float(angles[k]), crops[frame]))
    return out


def harvest(
    config: StationConfig,
    classifier: CropClassifier,
    truth: dict[str, Any],
    source: Path | None = None,
) -> list[LabelledCrop]:
    """Replay ``config``'s video and return its crops labelled by ``truth``."""
    lift = truth.get("lift")
    if not isinstance(lift, int):
        raise ValueError(f"the truth of station {config.id} names no lift number ('lift')")
    for k, passage in enumerate(truth.get("passages") or []):
        missing = [key for key in TRUTH_KEYS if not isinstance(passage, dict) or key not in passage]
        if missing:
            raise ValueError(f"the truth of station {config.id}: passage #{k} lacks {missing}")
    recorder = RecordingClassifier(classifier)
    result = replay(config, recorder, source)
    return label_crops(truth, result.to_dict(), recorder.crops, lift)


def pick_balanced(crops: Sequence[LabelledCrop], per_lift: int, seed: int) -> list[LabelledCrop]:
    """At most ``per_lift`` crops of each lift, half open and half closed where both allow
    (the rest filled from the other label), drawn at random from ``seed``; frame order kept."""
    rng = np.random.default_rng(seed)
    out: list[LabelledCrop] = []
    for lift in sorted({c.lift for c in crops}):
        mine = [c for c in crops if c.lift == lift]
        by_label = {label: [c for c in mine if c.label == label] for label in ("open", "closed")}
        want = {label: min(len(v), per_lift // 2) for label, v in by_label.items()}
        spare = per_lift - sum(want.values())
        for label, v in by_label.items():
            extra = min(spare, len(v) - want[label])
            want[label] += extra
            spare -= extra
        for label, v in by_label.items():
            keep = rng.choice(len(v), size=want[label], replace=False) if v else np.zeros(0, int)
            out += [v[int(k)] for k in sorted(keep)]
    return sorted(out, key=lambda c: (c.lift, c.frame))
