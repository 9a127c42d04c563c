"""Classes of the hashing models: lift × bar state (``2 · lifts`` classes).

Class ``c`` of lift ``k`` (1-based) and bar label ``y`` (0 closed, 1 open, as ``LABELS``) is
``2 · (k − 1) + y``: lift 1 closed is 0, lift 1 open is 1, lift 20 open is 39. The numbering
depends only on the lift id, so a run on a subset of lifts keeps the same class ids.
"""

from __future__ import annotations

import numpy as np

STATES: tuple[str, ...] = ("closed", "open")  # label order of models.synthetic.samples.LABELS
DEFAULT_LIFTS = 20


def class_ids(lifts: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """(N,) int64 class ids of (lift, label) pairs; ``ValueError`` for a lift out of range."""
    lifts = np.asarray(lifts, np.int64)
    labels = np.asarray(labels, np.int64)
    if lifts.shape != labels.shape:
        raise ValueError(f"lifts {lifts.shape} and labels {labels.shape} differ in shape")
    if lifts.size and (lifts.min() < 1 or lifts.max() > num_classes // 2):
        raise ValueError(
            f"the hashing model has {num_classes} classes, enough for lifts 1..{num_classes // 2}: "
            f"got lifts {lifts.min()}..{lifts.max()} (build it with num_classes = 2 × lifts)"
        )
    if labels.size and (labels.min() < 0 or labels.max() > 1):
        raise ValueError(f"labels must be 0 (closed) or 1 (open), got {np.unique(labels)}")
    return (lifts - 1) * 2 + labels


def class_name(class_id: int) -> str:
    """``"L01 closed"`` for class 0."""
    return f"L{class_id // 2 + 1:02d} {STATES[class_id % 2]}"


def class_map(num_classes: int) -> dict[int, str]:
    """Every class id → its name."""
    return {c: class_name(c) for c in range(num_classes)}
