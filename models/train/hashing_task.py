"""The training task of the hashing models (``models.zoo.hashing``).

Every training image once per epoch (order seeded by (seed, epoch)), labelled with its
lift × bar-state class (``models.zoo.hash_classes``). The loss is the paper's: softmax
cross-entropy of the classification layer that follows the sigmoid hash layer (the point-wise
method of Lin et al. has no other hashing term: the codes come from the latent layer the
classifier reads), plus, for ``hashing-psp``, the per-pixel negative log-likelihood of the
segmentation branch (the paper gives no weight between the two, it trains them one after the
other; here they train together, ``seg_weight`` 1).

Segmentations are read from the data set directory (``*.seg.png``, nearest-neighbour resized to
the input size); presets generated in memory carry none, so ``hashing-psp`` needs a directory.
The images are not augmented: the segmentation targets would need the same warps.
Validation accuracy (early stopping) is the top-1 accuracy over the classes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from models.synthetic.dataset import ArraySplit
from models.synthetic.segmentation import load_segmentations, resize_segmentations
from models.synthetic.store import DatasetError
from models.zoo.hash_classes import class_ids
from models.zoo.hashing import HashingModel

log = logging.getLogger(__name__)
Batch = tuple[torch.Tensor, ...]


class HashingTaskError(ValueError):
    """A hashing run that cannot start; the message says why."""


def train_segmentations(source: str | None, train: ArraySplit, size: tuple[int, int]) -> np.ndarray:
    """(N, h, w) int64 targets of the training images, in the split's order."""
    if source is None or not Path(source).is_dir():
        raise HashingTaskError(
            f"hashing-psp learns from the data set's segmentations (*.seg.png): --data must be a "
            f"data set directory written by 'liftwatch synth dataset', got {source!r}"
        )
    lifts = sorted(int(k) for k in np.unique(train.lifts))
    try:
        segs = load_segmentations(Path(source), "train", lifts)
    except DatasetError as exc:
        raise HashingTaskError(str(exc)) from exc
    if len(segs) != len(train) or not np.array_equal(segs.lifts, train.lifts):
        raise HashingTaskError(
            f"{source}: the segmentations ({len(segs)}) do not line up with the training "
            f"images ({len(train)})"
        )
    return resize_segmentations(segs.maps, size).astype(np.int64)


class HashingTask:
    """Labelled images (+ segmentations for the PSP variant), cross-entropy (+ per-pixel NLL)."""

    def __init__(
        self,
        model: HashingModel,
        train: ArraySplit,
        batch_size: int,
        seed: int,
        device: torch.device,
        source: str | None = None,
        seg_weight: float = 1.0,
    ) -> None:
        if len(train) == 0:
            raise ValueError("the training split holds no image")
        self.model, self.train = model, train
        self.batch_size, self.seed, self.device = batch_size, seed, device
        self.config = model.preprocess_config
        self.num_classes = int(self.config.num_classes or 0)
        try:
            self.labels = torch.from_numpy(class_ids(train.lifts, train.labels, self.num_classes))
        except ValueError as exc:
            raise HashingTaskError(str(exc)) from exc
        self.seg_weight = seg_weight
        self.segs: torch.Tensor | None = None
        if model.use_psp:
            segs = train_segmentations(source, train, self.config.input_size)
            self.segs = torch.from_numpy(segs)

    def num_batches(self) -> int:
        return -(-len(self.train) // self.batch_size)

    def batches(self, epoch: int, augment: bool = True) -> Iterator[Batch]:
        order = np.random.default_rng([self.seed, epoch]).permutation(len(self.train))
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            images = self.config.preprocess(self.train.images[index]).to(self.device)
            labels = self.labels[index].to(self.device)
            if self.segs is None:
                yield images, labels
            else:
                yield images, self.segs[index].to(self.device), labels

    def loss(self, batch: Batch) -> torch.Tensor:
        images, labels = batch[0], batch[-1]
        logits, _, seg = self.model.outputs(images, segment=self.segs is not None)
        loss = F.cross_entropy(logits, labels)
        if seg is not None:
            loss = loss + self.seg_weight * F.cross_entropy(seg, batch[1])
        return loss

    def bn_inputs(self, epoch: int, limit: int) -> Iterator[torch.Tensor]:
        for i, batch in enumerate(self.batches(epoch, augment=False)):
            if i >= limit:
                return
            yield batch[0]

    @torch.no_grad()
    def accuracy(self, split: ArraySplit) -> float:
        """Top-1 accuracy over the lift × bar-state classes."""
        if len(split) == 0:
            return 0.0
        truth = class_ids(split.lifts, split.labels, self.num_classes)
        self.model.eval()
        correct = 0
        step = 2 * self.batch_size
        for start in range(0, len(split), step):
            x = self.config.preprocess(split.images[start : start + step]).to(self.device)
            pred = self.model(x).argmax(dim=1).cpu().numpy()
            correct += int((pred == truth[start : start + step]).sum())
        return correct / len(split)
