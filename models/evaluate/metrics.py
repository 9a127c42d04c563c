"""Accuracy per lift, their mean and the overall accuracy, and confusion matrices.

Confusion matrices are 2×2, rows the true state and columns the predicted one, both in class
order (0 closed, 1 open; ``models.synthetic.samples.LABELS``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.evaluate.predict import Predictions
from models.synthetic.samples import LABELS


@dataclass(frozen=True)
class LiftScore:
    """One lift's test images: how many, how many right, its confusion matrix."""

    lift: int
    images: int
    correct: int
    confusion: np.ndarray  # (2, 2) int64

    @property
    def accuracy(self) -> float:
        return self.correct / self.images if self.images else 0.0


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int = 2) -> np.ndarray:
    """(classes, classes) counts: ``[true, predicted]``."""
    out = np.zeros((classes, classes), np.int64)
    np.add.at(out, (np.asarray(labels, np.int64), np.asarray(predicted, np.int64)), 1)
    return out


def per_lift(pred: Predictions) -> list[LiftScore]:
    """A ``LiftScore`` per lift present, in lift order."""
    scores = []
    for lift in sorted(np.unique(pred.lifts).tolist()):
        rows = pred.lifts == lift
        labels, predicted = pred.labels[rows], pred.predicted[rows]
        scores.append(
            LiftScore(
                lift=int(lift),
                images=int(rows.sum()),
                correct=int((labels == predicted).sum()),
                confusion=confusion_matrix(labels, predicted, len(LABELS)),
            )
        )
    return scores


def mean_of_lifts(scores: list[LiftScore]) -> float:
    """The mean of the per-lift accuracies: every lift counts the same."""
    return float(np.mean([s.accuracy for s in scores])) if scores else 0.0


def overall(scores: list[LiftScore]) -> float:
    """The accuracy over all images: lifts count by their number of test images."""
    images = sum(s.images for s in scores)
    return sum(s.correct for s in scores) / images if images else 0.0


def confusion_dict(matrix: np.ndarray) -> dict[str, dict[str, int]]:
    """``{true label: {predicted label: count}}``, JSON-ready."""
    return {
        LABELS[t]: {LABELS[p]: int(matrix[t, p]) for p in range(len(LABELS))}
        for t in range(len(LABELS))
    }
