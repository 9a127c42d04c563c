"""The triplet training of siamese models, with the lecture's hard-case refinement.

Each training image is an anchor; its positive is its own lift's mask of the image's state, its
negative the same lift's mask of the other state: exactly the two distances the decision rule
compares at inference (``models.zoo.decision``), so the loss ranks what the product ranks.
Other lifts' masks are not used as negatives: an image is never compared with them, and pushing
an open image away from another lift's open mask would teach the embedding to tell lifts apart,
the opposite of what a lift added by its masks alone needs.

With ``MiningSchedule`` the first ``warmup_epochs`` epochs train on every triplet; each later
epoch first embeds every training image (not augmented, model in eval mode, as at inference)
and the masks, lets ``HardTripletMiner`` pick the triplets with ``d(A, P) − d(A, N) > −band``
(hardest first, at least one batch), and trains on those only: the mined set is recomputed every
refinement epoch. ``balanced`` mining takes as many open as closed anchors (the hardest of each),
so the refinement cannot pull every image towards one state (see docs/ACCURACY.md).
``epoch_stats`` reports how many were mined (``hard_cases``) and violated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import numpy as np
import torch

from models.evaluate.predict import Masks
from models.synthetic.dataset import ArraySplit
from models.train.augment import AugmentConfig, LiftWarpConfig, warp_pairs
from models.train.config import TrainConfig
from models.train.tasks import Batch, _Base
from models.zoo.base import ZooModel
from models.zoo.miners import HardTripletMiner, MinedTriplets, MiningSchedule
from models.zoo.siamese import embed
from models.zoo.triplet_loss import TripletLoss

log = logging.getLogger(__name__)


@runtime_checkable
class ReportsEpochStats(Protocol):
    """A task with per-epoch counts for ``log.jsonl`` (the triplet task: ``hard_cases``)."""

    def epoch_stats(self) -> dict[str, int]: ...


def mining_schedule(config: TrainConfig) -> MiningSchedule | None:
    """The hard-mining schedule of ``config`` (``hard_band`` None: the margin), or None."""
    if not config.hard_mining:
        return None
    band = config.margin if config.hard_band is None else config.hard_band
    return MiningSchedule(config.warmup_epochs, band, config.balanced_mining)


class TripletTask(_Base):
    """(image, positive mask, negative mask) batches and the triplet loss."""

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
        mining: MiningSchedule | None = None,
    ) -> None:
        super().__init__(model, train, masks, batch_size, seed, device, augment)
        self.lift_warp = lift_warp
        self.mask_set = self.lift_mask_set()
        self.loss_fn = TripletLoss(margin=margin)
        self.mining = mining
        self.miner = HardTripletMiner(mining.band, min_count=batch_size) if mining else None
        self.labels = np.asarray(self.train.labels, np.int64)
        self.last_mined: MinedTriplets | None = None
        self._order: np.ndarray | None = None

    def epoch_order(self, epoch: int) -> np.ndarray:
        """The training images (anchors) of ``epoch``, shuffled: all of them, or the mined."""
        rng = np.random.default_rng([self.seed, epoch])
        self.last_mined = None
        if self.mining is None or not self.mining.refines(epoch):
            return rng.permutation(len(self.train))
        mined = self.mine()
        self.last_mined = mined
        log.info(
            "epoch %d: %d hard triplets of %d (%d violating)",
            epoch + 1,
            len(mined),
            mined.total,
            mined.violating,
        )
        return rng.permutation(mined.index.cpu().numpy())

    def num_batches(self) -> int:
        n = len(self._order) if self._order is not None else len(self.train)
        return -(-n // self.batch_size)

    def batches(self, epoch: int, augment: bool = True) -> Iterator[Batch]:
        self._order = self.epoch_order(epoch)
        yield from self._batches(self._order, epoch, augment)

    def bn_inputs(self, epoch: int, limit: int) -> Iterator[torch.Tensor]:
        """Inputs of every kind of triplet (never mined), not augmented."""
        order = np.random.default_rng([self.seed, epoch]).permutation(len(self.train))
        for i, batch in enumerate(self._batches(order, epoch, augment=False)):
            if i >= limit:
                return
            yield self.inputs(batch)

    def _batches(self, order: np.ndarray, epoch: int, augment: bool) -> Iterator[Batch]:
        generator = self.generator(epoch, augment)
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            lifts, labels = self.train.lifts[index], self.labels[index]
            positives = self.mask_set.select(lifts, labels)
            negatives = self.mask_set.select(lifts, 1 - labels)
            images = self.images(index, generator)
            if generator is not None and self.lift_warp is not None:
                # one geometry per triplet: both masks ride along as extra channels
                both = torch.cat([positives, negatives], dim=1)
                images, both = warp_pairs(images, both, generator, self.lift_warp)
                positives, negatives = both.split(positives.shape[1], dim=1)
            yield images, positives, negatives

    def loss(self, batch: Batch) -> torch.Tensor:
        images, positives, negatives = batch
        # one forward pass, so BatchNorm sees images and masks mixed (see models.zoo.siamese)
        out = self.model(torch.cat([images, positives, negatives]))
        anchors, y_pos, y_neg = out.split(len(images))
        loss: torch.Tensor = self.loss_fn(anchors, y_pos, y_neg)
        return loss

    def inputs(self, batch: Batch) -> torch.Tensor:
        return torch.cat(batch)

    @torch.no_grad()
    def distances(self, chunk: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
        """(d(A, P), d(A, N)) of every training image, not augmented, in eval mode."""
        was_training = self.model.training
        self.model.eval()
        try:
            masks = self.mask_set.inputs
            y_masks = embed(self.model, masks.flatten(0, 1), chunk)
            y_masks = y_masks.reshape(masks.shape[0], 2, -1)
            parts = [
                self.model(self.images(np.arange(s, min(s + chunk, len(self.train))), None))
                for s in range(0, len(self.train), chunk)
            ]
            anchors = torch.cat(parts)
            rows = torch.from_numpy(self.mask_set.rows(self.train.lifts)).to(anchors.device)
            labels = torch.from_numpy(self.labels).to(anchors.device)
            return self.loss_fn.distances(anchors, y_masks[rows, labels], y_masks[rows, 1 - labels])
        finally:
            self.model.train(was_training)

    def mine(self) -> MinedTriplets:
        """The hard triplets of the training set under the current weights, hardest first."""
        if self.miner is None:
            raise ValueError("this task has no hard mining (mining=None)")
        d_ap, d_an = self.distances()
        balanced = self.mining is not None and self.mining.balanced
        groups = torch.from_numpy(self.labels).to(d_ap.device) if balanced else None
        return self.miner.mine(d_ap, d_an, groups)

    def epoch_stats(self) -> dict[str, int]:
        """``hard_cases`` and ``violating`` of the last mined epoch; {} otherwise."""
        if self.last_mined is None:
            return {}
        return {"hard_cases": len(self.last_mined), "violating": self.last_mined.violating}
