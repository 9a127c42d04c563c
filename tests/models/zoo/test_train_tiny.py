"""A tiny end-to-end run: siamese-fast learns the bar state of 2 lifts from 60 images."""

from collections.abc import Iterator

import numpy as np
import pytest
import torch

from models.synthetic.dataset import ArraySplit, DatasetSpec, generate_split
from models.synthetic.scene import World, render_masks
from models.zoo import create_model
from models.zoo.base import ZooModel
from models.zoo.batchnorm import recalibrate_batchnorm
from models.zoo.decision import decide
from models.zoo.losses import ContrastiveLoss
from models.zoo.pairs import MaskSet, PairSampler
from models.zoo.siamese import embed, embed_pair

LIFTS = (1, 2)
PER_CLASS = 15  # per lift and class: 2 lifts × 2 classes × 15 = 60 training images
SIZE = (64, 64)
EPOCHS, BATCH, LR = 16, 16, 3e-3


def balanced(split: ArraySplit, per_class: int) -> np.ndarray:
    picks = [
        np.flatnonzero((split.lifts == lift) & (split.labels == label))[:per_class]
        for lift in LIFTS
        for label in (0, 1)
    ]
    return np.concatenate(picks)


def pair_batches(
    x: torch.Tensor, masks: MaskSet, sampler: PairSampler, epoch: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """(images, their masks, positive) batches of one epoch."""
    pairs = sampler.epoch(epoch)
    for i in range(0, len(pairs), BATCH):
        s = slice(i, i + BATCH)
        yield (
            x[pairs.image_index[s]],
            masks.select(pairs.lift[s], pairs.mask_state[s]),
            torch.from_numpy(pairs.positive[s]),
        )


def train(model: ZooModel, x: torch.Tensor, masks: MaskSet, sampler: PairSampler) -> None:
    loss_fn = ContrastiveLoss(margin=1.0)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=1e-4)
    model.train()
    for epoch in range(EPOCHS):
        for images, mask_inputs, positive in pair_batches(x, masks, sampler, epoch):
            y_images, y_masks = embed_pair(model, images, mask_inputs)
            loss = loss_fn(y_images, y_masks, positive)
            opt.zero_grad()
            loss.backward()
            opt.step()
    # short runs leave BN running statistics behind the weights: re-estimate them
    batches = (torch.cat([i, m]) for i, m, _ in pair_batches(x, masks, sampler, EPOCHS))
    recalibrate_batchnorm(model, batches)
    model.eval()


@pytest.mark.slow
def test_siamese_fast_learns_two_lifts(world: World) -> None:
    torch.manual_seed(0)
    spec = DatasetSpec(lifts=LIFTS, seed=0, difficulty=0.0)
    train_split, held_out = generate_split(spec, "train"), generate_split(spec, "val")
    idx = balanced(train_split, PER_CLASS)
    assert len(idx) == 60

    model = create_model("siamese-fast", input_size=SIZE)
    cfg = model.preprocess_config
    masks = MaskSet.from_masks({k: render_masks(world.lift(k), 200) for k in LIFTS}, cfg)
    sampler = PairSampler(train_split.labels[idx], train_split.lifts[idx], seed=0)
    train(model, cfg.preprocess(train_split.images[idx]), masks, sampler)

    y = embed(model, cfg.preprocess(held_out.images))
    y_masks = embed(model, masks.inputs.flatten(0, 1)).reshape(len(LIFTS), 2, -1)
    rows = torch.from_numpy(masks.rows(held_out.lifts))
    decision = decide(y, open_embeddings=y_masks[rows, 1], closed_embeddings=y_masks[rows, 0])
    accuracy = float((decision.state.numpy() == held_out.labels).mean())
    assert len(held_out) == 200 and accuracy > 0.75, accuracy
