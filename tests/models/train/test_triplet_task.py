"""The triplet task: well-formed batches, the mining schedule, make_task's choice."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.train.augment import DEFAULT_AUGMENT, DEFAULT_LIFT_WARP, warp_pairs
from models.train.tasks import SiameseTask, make_task
from models.train.triplet_task import TripletTask, mining_schedule
from models.zoo.miners import MiningSchedule
from models.zoo.registry import create_model
from tests.models.train.helpers import tiny_config, tiny_data

SIZE = 32
CPU = torch.device("cpu")


def _task(
    mining: MiningSchedule | None = None, augment: bool = False, batch_size: int = 16
) -> TripletTask:
    data = tiny_data()
    torch.manual_seed(0)
    model = create_model("siamese-fast", input_size=(SIZE, SIZE))
    task = make_task(
        model,
        data.split("train"),
        data.masks,
        batch_size,
        0,
        CPU,
        DEFAULT_AUGMENT if augment else None,
        1.0,
        DEFAULT_LIFT_WARP if augment else None,
        loss="triplet",
        mining=mining,
    )
    assert isinstance(task, TripletTask)
    return task


def test_batches_hold_each_image_with_its_own_and_its_other_state_mask() -> None:
    task = _task()
    order = task.epoch_order(0)
    assert sorted(order.tolist()) == list(range(len(task.train)))  # every anchor once
    images, positives, negatives = next(task.batches(0, augment=False))
    assert images.shape == positives.shape == negatives.shape == (16, 3, SIZE, SIZE)
    index = task.epoch_order(0)[:16]
    rows = task.mask_set.rows(task.train.lifts[index])
    labels = task.train.labels[index]
    assert torch.equal(positives, task.mask_set.inputs[rows, labels])
    assert torch.equal(negatives, task.mask_set.inputs[rows, 1 - labels])
    assert not torch.equal(positives, negatives)
    batches = list(task.batches(0, augment=False))
    assert len(batches) == task.num_batches() == -(-len(task.train) // 16)


def test_augmented_triplets_warp_both_masks_with_their_image_s_geometry() -> None:
    task = _task(augment=True)
    images, positives, negatives = next(task.batches(0, augment=True))
    # the same draws by hand: image augmentation, then ONE warp for image, positive, negative
    generator = task.generator(0, augment=True)
    assert generator is not None
    index = task.epoch_order(0)[:16]
    lifts, labels = task.train.lifts[index], task.train.labels[index]
    pos, neg = task.mask_set.select(lifts, labels), task.mask_set.select(lifts, 1 - labels)
    x = task.images(index, generator)
    want_x, both = warp_pairs(x, torch.cat([pos, neg], dim=1), generator, DEFAULT_LIFT_WARP)
    assert torch.equal(images, want_x)
    assert torch.equal(positives, both[:, :3]) and torch.equal(negatives, both[:, 3:])
    assert not torch.equal(positives, pos)  # warped indeed


def test_loss_is_finite_and_trains_every_parameter_it_touches() -> None:
    task = _task()
    batch = next(task.batches(0, augment=False))
    loss = task.loss(batch)
    loss.backward()
    assert torch.isfinite(loss) and float(loss.detach()) >= 0
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in task.model.parameters())
    assert task.inputs(batch).shape[0] == 3 * 16


def test_refinement_epochs_train_on_the_mined_hard_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    task = _task(MiningSchedule(warmup_epochs=1, band=0.5), batch_size=4)
    n = len(task.train)
    # hand-made distances: hardness d_ap − d_an = −1 for all but images 5, 7, 9, 11, 13;
    # with band 0.5 those five are hard, three of them (> 0) violating
    d_ap = torch.zeros(n)
    d_an = torch.ones(n)
    hard = {5: 0.8, 7: 0.3, 9: -0.2, 11: 1.5, 13: -0.4}
    for i, h in hard.items():
        d_an[i] = -h
    monkeypatch.setattr(task, "distances", lambda: (d_ap, d_an))
    warm = task.epoch_order(0)
    assert len(warm) == n and task.epoch_stats() == {}
    mined = task.mine()
    assert mined.index.tolist() == [11, 5, 7, 9, 13]  # hardest first
    order = task.epoch_order(1)
    assert sorted(order.tolist()) == [5, 7, 9, 11, 13]
    assert task.epoch_stats() == {"hard_cases": 5, "violating": 3}
    batches = list(task.batches(1, augment=False))
    assert [len(b[0]) for b in batches] == [4, 1] and task.num_batches() == 2
    # the BatchNorm batches are never mined
    assert sum(len(x) for x in task.bn_inputs(10**6, 100)) == 3 * n


def test_balanced_mining_takes_as_many_open_as_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    task = _task(MiningSchedule(warmup_epochs=0, band=0.5, balanced=True), batch_size=4)
    labels = task.train.labels
    n = len(labels)
    # every closed image violating (the collapse seen in the runs), every open one easy
    d_an = torch.from_numpy(np.where(labels == 0, -1.0, 1.0)).float()
    monkeypatch.setattr(task, "distances", lambda: (torch.zeros(n), d_an))
    closed, opened = int((labels == 0).sum()), int((labels == 1).sum())
    mined = task.mine()
    states = labels[mined.index.numpy()]
    k = min(closed, opened)
    assert (states == 0).sum() == closed and (states == 1).sum() == k
    assert mined.violating == closed and set(states[:closed].tolist()) == {0}  # hardest first


def test_mining_the_real_distances_orders_by_hardness() -> None:
    task = _task(MiningSchedule(warmup_epochs=0, band=10.0))
    d_ap, d_an = task.distances()
    assert d_ap.shape == d_an.shape == (len(task.train),) and task.model.training
    mined = task.mine()
    assert len(mined) == len(task.train)  # a band of 10 on squared unit distances: all
    assert torch.all(mined.hardness[:-1] >= mined.hardness[1:])
    assert mined.hardness.tolist() == pytest.approx((d_ap - d_an)[mined.index].tolist())


def test_make_task_picks_by_loss_and_refuses_triplet_for_classifiers() -> None:
    data = tiny_data()
    model = create_model("siamese-fast", input_size=(SIZE, SIZE))
    args = (model, data.split("train"), data.masks, 8, 0, CPU)
    assert isinstance(make_task(*args), SiameseTask)
    classifier = create_model("classifier-paper", input_size=(SIZE, SIZE))
    with pytest.raises(ValueError, match="siamese"):
        make_task(classifier, *args[1:], loss="triplet")


def test_mining_schedule_of_a_config() -> None:
    assert mining_schedule(tiny_config(loss="triplet")) is None
    schedule = mining_schedule(tiny_config(loss="triplet", hard_mining=True, margin=0.5))
    assert schedule == MiningSchedule(warmup_epochs=5, band=0.5)
    config = tiny_config(loss="triplet", hard_mining=True, warmup_epochs=2, hard_band=0.1)
    assert mining_schedule(config) == MiningSchedule(2, 0.1)
    assert np.isfinite(schedule.band) and not schedule.balanced
    balanced = tiny_config(loss="triplet", hard_mining=True, balanced_mining=True)
    assert mining_schedule(balanced) == MiningSchedule(5, 1.0, balanced=True)
