"""What one training step means for each kind of model.

* siamese: each epoch pairs every training image with one of its own lift's two masks, half
  positive, half negative per (lift, state) (``models.zoo.pairs.PairSampler``), embeds image and
  mask in one forward pass (``embed_pair``) and applies the contrastive loss (eq. 1);
* siamese with ``loss="triplet"``: ``models.train.triplet_task.TripletTask`` (image, its own and
  its other-state mask; optional hard-case mining);
* classifier: every training image once, cross-entropy on the logits.

Both shuffle with generators seeded by (seed, epoch), so an epoch is the same whether the run
was resumed or not. ``bn_inputs`` yields batches shaped like training batches for the BatchNorm
re-estimation, and ``accuracy`` is the validation metric of early stopping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np
import torch
from torch import nn

from models.evaluate.predict import Masks, TorchPredictor, predict_split
from models.synthetic.dataset import ArraySplit
from models.train.augment import AugmentConfig, LiftWarpConfig, augment_images, warp_pairs
from models.train.hashing_task import HashingTask
from models.zoo.base import ZooModel
from models.zoo.hashing import HashingModel
from models.zoo.losses import ContrastiveLoss
from models.zoo.miners import MiningSchedule
from models.zoo.pairs import MaskSet, PairSampler
from models.zoo.siamese import embed_pair

Batch = tuple[torch.Tensor, ...]


class Task(Protocol):
    def batches(self, epoch: int, augment: bool = True) -> Iterator[Batch]: ...

    def num_batches(self) -> int: ...

    def loss(self, batch: Batch) -> torch.Tensor: ...

    def bn_inputs(self, epoch: int, limit: int) -> Iterator[torch.Tensor]: ...

    def accuracy(self, split: ArraySplit) -> float: ...


class _Base:
    def __init__(
        self,
        model: ZooModel,
        train: ArraySplit,
        masks: Masks,
        batch_size: int,
        seed: int,
        device: torch.device,
        augment: AugmentConfig | None = None,
    ) -> None:
        if len(train) == 0:
            raise ValueError("the training split holds no image")
        self.model, self.train, self.masks = model, train, masks
        self.batch_size, self.seed, self.device = batch_size, seed, device
        self.augment = augment
        self.config = model.preprocess_config

    def num_batches(self) -> int:
        return -(-len(self.train) // self.batch_size)

    def images(self, index: np.ndarray, generator: torch.Generator | None) -> torch.Tensor:
        """Preprocessed training images, augmented when ``generator`` is given."""
        x = self.config.preprocess(self.train.images[index]).to(self.device)
        if generator is not None and self.augment is not None:
            x = augment_images(x, generator, self.augment)
        return x

    def generator(self, epoch: int, augment: bool) -> torch.Generator | None:
        """The augmentation draws of ``epoch`` (seeded by run seed and epoch), or None."""
        if not augment or self.augment is None:
            return None
        seed = int(np.random.SeedSequence([self.seed, epoch]).generate_state(1)[0])
        return torch.Generator().manual_seed(seed)

    def lift_mask_set(self) -> MaskSet:
        """The two masks of every training lift, preprocessed, on the device."""
        lifts = np.unique(self.train.lifts).tolist()
        mask_set = MaskSet.from_masks({k: self.masks[k] for k in lifts}, self.config)
        mask_set.inputs = mask_set.inputs.to(self.device)
        return mask_set

    def accuracy(self, split: ArraySplit) -> float:
        predictor = TorchPredictor(self.model, self.device)
        return predict_split(predictor, split, self.masks, batch_size=2 * self.batch_size).accuracy

    def batches(self, epoch: int, augment: bool = True) -> Iterator[Batch]:
        raise NotImplementedError

    def bn_inputs(self, epoch: int, limit: int) -> Iterator[torch.Tensor]:
        """Model inputs (not augmented) of the first ``limit`` batches of an extra ``epoch``."""
        for i, batch in enumerate(self.batches(epoch, augment=False)):
            if i >= limit:
                return
            yield self.inputs(batch)

    def inputs(self, batch: Batch) -> torch.Tensor:
        return batch[0]


class SiameseTask(_Base):
    """(image, mask of its lift) pairs and the contrastive loss."""

    def __init__(
        self,
        model: ZooModel,
        train: ArraySplit,
        masks: Masks,
        batch_size: int,
        seed: int,
        device: torch.device,
        augment: AugmentConfig | None = None,
        margin: float = 1.0,
        lift_warp: LiftWarpConfig | None = None,
    ) -> None:
        super().__init__(model, train, masks, batch_size, seed, device, augment)
        self.lift_warp = lift_warp
        self.sampler = PairSampler(self.train.labels, self.train.lifts, seed=self.seed)
        self.mask_set = self.lift_mask_set()
        self.loss_fn = ContrastiveLoss(margin=margin)

    def batches(self, epoch: int, augment: bool = True) -> Iterator[Batch]:
        pairs = self.sampler.epoch(epoch)
        generator = self.generator(epoch, augment)
        for start in range(0, len(pairs), self.batch_size):
            s = slice(start, start + self.batch_size)
            masks = self.mask_set.select(pairs.lift[s], pairs.mask_state[s])
            positive = torch.from_numpy(pairs.positive[s]).to(self.device)
            images = self.images(pairs.image_index[s], generator)
            if generator is not None and self.lift_warp is not None:
                images, masks = warp_pairs(images, masks, generator, self.lift_warp)
            yield images, masks, positive

    def loss(self, batch: Batch) -> torch.Tensor:
        images, masks, positive = batch
        y_images, y_masks = embed_pair(self.model, images, masks)
        out: torch.Tensor = self.loss_fn(y_images, y_masks, positive)
        return out

    def inputs(self, batch: Batch) -> torch.Tensor:
        return torch.cat([batch[0], batch[1]])


class ClassifierTask(_Base):
    """Images and their labels, cross-entropy."""

    def __init__(
        self,
        model: ZooModel,
        train: ArraySplit,
        masks: Masks,
        batch_size: int,
        seed: int,
        device: torch.device,
        augment: AugmentConfig | None = None,
    ) -> None:
        super().__init__(model, train, masks, batch_size, seed, device, augment)
        self.loss_fn = nn.CrossEntropyLoss()
        self.labels = torch.from_numpy(self.train.labels)

    def batches(self, epoch: int, augment: bool = True) -> Iterator[Batch]:
        order = np.random.default_rng([self.seed, epoch]).permutation(len(self.train))
        generator = self.generator(epoch, augment)
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            yield self.images(index, generator), self.labels[index].to(self.device)

    def loss(self, batch: Batch) -> torch.Tensor:
        images, labels = batch
        out: torch.Tensor = self.loss_fn(self.model(images), labels)
        return out


def make_task(
    model: ZooModel,
    train: ArraySplit,
    masks: Masks,
    batch_size: int,
    seed: int,
    device: torch.device,
    augment: AugmentConfig | None = None,
    margin: float = 1.0,
    lift_warp: LiftWarpConfig | None = None,
    source: str | None = None,
    loss: str = "contrastive",
    mining: MiningSchedule | None = None,
) -> Task:
    """The task of ``model.kind``; ``augment`` None trains on the images as they are,
    ``lift_warp`` (siamese models) warps each pair as if from another lift. Hashing models
    (``models.train.hashing_task``) read their segmentations from the data directory ``source``.
    ``loss`` "triplet" (siamese models) gives ``models.train.triplet_task.TripletTask``, hard
    mining after warm-up when ``mining`` is given."""
    if isinstance(model, HashingModel):
        return HashingTask(model, train, batch_size, seed, device, source)
    if loss == "triplet":
        # imported here: models.train.triplet_task builds on this module's _Base
        from models.train.triplet_task import TripletTask

        if model.kind != "siamese":
            raise ValueError(f"loss 'triplet' needs a siamese model, got a {model.kind}")
        return TripletTask(
            model, train, masks, batch_size, seed, device, augment, margin, lift_warp, mining
        )
    if model.kind == "siamese":
        return SiameseTask(
            model, train, masks, batch_size, seed, device, augment, margin, lift_warp
        )
    return ClassifierTask(model, train, masks, batch_size, seed, device, augment)
