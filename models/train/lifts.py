"""Which lifts a run trains on and which it validates on.

``train_lifts_of``: every lift the run uses, ``config.lifts`` ∩ (all or the leave-lifts-out
split's seen lifts).

``run_lifts`` splits them further when ``config.val_lifts`` is N > 0: N of those lifts (with
``--train-lifts seen``, of the seen ones), drawn from the run's seed (``pick_val_lifts``), are
left out of training and serve only for validation, classified as the unseen-lift protocol
classifies (``models.evaluate.run``, ``--unseen``): each image against its own lift's two mask
embeddings, nothing else of the lift. Their validation images are all their labelled images
outside the test split (train and val splits: the network never sees either), and the score is
the mean of the per-lift accuracies, the "Average" of the unseen-lift table. Early stopping and
``best.pt`` then follow how well the network does on lifts it never saw, rather than on other
images of the lifts it learns (which it can learn by heart).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.evaluate.metrics import mean_of_lifts, per_lift
from models.evaluate.predict import Predictor, predict_split
from models.synthetic.dataset import ArraySplit
from models.train.config import TrainConfig
from models.train.data import LiftData
from models.train.presets import DataSpecError

MIN_TRAIN_LIFTS = 2
# Mixed with the run's seed, so the validation lifts do not follow other draws of that seed.
VAL_LIFTS_SALT = 7_331
# Splits whose images validate the held-out lifts: everything but the test split.
HELD_OUT_SPLITS: tuple[str, ...] = ("train", "val")


def train_lifts_of(data: LiftData, config: TrainConfig) -> tuple[int, ...]:
    """The lifts the run trains and validates on: ``config.lifts`` ∩ (all or seen) lifts."""
    lifts = config.lifts if config.lifts is not None else data.lifts
    if config.train_lifts == "seen":
        if not data.unseen:
            raise DataSpecError(
                f"--train-lifts seen: {data.source} has no held-out lifts (it needs more than 5)"
            )
        lifts = tuple(k for k in lifts if k in data.seen)
    if not lifts:
        raise DataSpecError("no lift left to train on")
    return tuple(lifts)


def pick_val_lifts(lifts: tuple[int, ...], count: int, seed: int) -> tuple[int, ...]:
    """``count`` of ``lifts`` (sorted), the same for the same lifts, count and seed."""
    if not 0 <= count <= len(lifts):
        raise ValueError(f"cannot pick {count} of {len(lifts)} lifts")
    rng = np.random.default_rng([seed, VAL_LIFTS_SALT])
    picked = rng.choice(np.asarray(sorted(lifts), np.int64), size=count, replace=False)
    return tuple(sorted(int(k) for k in picked))


@dataclass(frozen=True)
class RunLifts:
    """The lifts trained on and the held-out lifts validated by their masks only (``()``: the
    run validates on the val images of its training lifts)."""

    train: tuple[int, ...]
    val: tuple[int, ...] = ()

    @property
    def all(self) -> tuple[int, ...]:
        return tuple(sorted(self.train + self.val))


def run_lifts(data: LiftData, config: TrainConfig) -> RunLifts:
    """Training and held-out validation lifts of a run (see the module doc)."""
    lifts = tuple(sorted(set(train_lifts_of(data, config))))
    n = config.val_lifts
    if n == 0:
        return RunLifts(lifts)
    if len(lifts) - n < MIN_TRAIN_LIFTS:
        which = "seen lifts" if config.train_lifts == "seen" else "lifts of the run"
        raise DataSpecError(
            f"--val-lifts {n} leaves {len(lifts) - n} of the {len(lifts)} {which} "
            f"{list(lifts)} to train on; at least {MIN_TRAIN_LIFTS} are needed "
            f"(--val-lifts at most {len(lifts) - MIN_TRAIN_LIFTS})"
        )
    val = pick_val_lifts(lifts, n, config.seed)
    return RunLifts(tuple(k for k in lifts if k not in val), val)


def held_out_images(data: LiftData) -> ArraySplit:
    """The validation images of held-out lifts: their ``HELD_OUT_SPLITS`` together."""
    parts = [data.split(name) for name in HELD_OUT_SPLITS]
    return ArraySplit(
        np.concatenate([p.images for p in parts]),
        np.concatenate([p.labels for p in parts]),
        np.concatenate([p.lifts for p in parts]),
        np.concatenate([p.bar_angles for p in parts]),
    )


def held_out_accuracy(predictor: Predictor, data: LiftData, batch_size: int = 64) -> float:
    """Mean per-lift accuracy on ``data``'s lifts, each image decided by its lift's masks only
    (siamese; a classifier by its logits), as ``liftwatch evaluate --unseen`` does."""
    images = held_out_images(data)
    if len(images) == 0:
        raise DataSpecError(f"the held-out lifts {list(data.lifts)} hold no validation image")
    pred = predict_split(predictor, images, data.masks, batch_size=batch_size)
    return mean_of_lifts(per_lift(pred))
