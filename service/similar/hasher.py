"""``CropHasher``: registered crops → 48-bit codes with an exported hashing model (ONNX).

The model is a ``hashing-*`` export (``models.zoo.export``: outputs ``logits`` and ``hash``) with
its preprocess config beside it (``hashing.json``). A code is the hash layer's sigmoid thresholded
at 0.5, packed into an int (bit ``i`` of the code is output ``i``). ONNX Runtime runs on one
thread without spinning, so hashing never starves the pipeline's threads.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

import models.default

logger = logging.getLogger(__name__)

HASHING_MODEL_PATH = Path(models.default.__file__).with_name("hashing.onnx")
HASH_OUTPUT = "hash"


class HashingUnavailableError(RuntimeError):
    """No usable hashing model; the message says which file and why."""


def hamming(a: int, b: int) -> int:
    """Number of differing bits of two codes."""
    return (a ^ b).bit_count()


def pack_bits(bits: np.ndarray) -> list[int]:
    """(N, bits) 0/1 → N ints, bit ``i`` of each int is column ``i``."""
    weights = 1 << np.arange(bits.shape[1], dtype=np.uint64)
    return [int(v) for v in (bits.astype(np.uint64) * weights).sum(axis=1)]


class CropHasher:
    """A loaded hashing model: ``codes(crops)`` → one int per BGR uint8 crop."""

    def __init__(self, path: Path = HASHING_MODEL_PATH) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise HashingUnavailableError(
                f"the hashing model {self.path} is missing: build it with "
                "scripts/train_hashing.sh (see docs/ACCURACY.md)"
            )
        import onnxruntime as ort

        from models.zoo.export import read_config

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
            meta = dict(self.session.get_modelmeta().custom_metadata_map)
            self.config = read_config(self.path, meta)
        except Exception as exc:  # ONNX Runtime's load errors share no useful base class
            raise HashingUnavailableError(
                f"the hashing model {self.path} cannot be used: {exc}"
            ) from exc
        outputs = {o.name: o for o in self.session.get_outputs()}
        if HASH_OUTPUT not in outputs:
            raise HashingUnavailableError(
                f"{self.path} holds {self.config.model!r} without a {HASH_OUTPUT!r} output: "
                "not a hashing model"
            )
        self.bits = int(outputs[HASH_OUTPUT].shape[1])
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()[:16]
        self.key = f"{self.config.model}:{digest}"
        """Names the model and its weights: cached codes of another model are not reused."""
        logger.info("hashing model %s loaded (%d bits)", self.key, self.bits)

    def codes(self, crops: list[np.ndarray]) -> list[int]:
        """One code per crop (BGR uint8 (H, W, 3), resized as the model wants)."""
        if not crops:
            return []
        batch = self.config.preprocess(np.stack([self._fit(c) for c in crops])).numpy()
        probs = self.session.run([HASH_OUTPUT], {"image": batch})[0]
        return pack_bits(np.asarray(probs) >= 0.5)

    def _fit(self, crop: np.ndarray) -> np.ndarray:
        """Crops of any size stack once resized to the model's input."""
        import cv2

        h, w = self.config.input_size
        if crop.shape[:2] == (h, w):
            return crop
        return cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
