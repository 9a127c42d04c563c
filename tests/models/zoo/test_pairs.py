import numpy as np
import pytest
import torch

from models.zoo import create_model
from models.zoo.pairs import MaskSet, PairSampler
from tests.models.zoo.conftest import RealBatch


def sampler(seed: int = 0) -> PairSampler:
    rng = np.random.default_rng(1)
    lifts = np.repeat([1, 2, 5], [40, 31, 29])
    return PairSampler(rng.integers(0, 2, len(lifts)), lifts, seed=seed)


def test_every_image_once_half_positive_per_group() -> None:
    s = sampler()
    pairs = s.epoch(0)
    assert sorted(pairs.image_index.tolist()) == list(range(100))
    assert np.array_equal(pairs.lift, s.lifts[pairs.image_index])  # the image's own lift
    same = pairs.mask_state == s.labels[pairs.image_index]
    assert np.array_equal(same, pairs.positive)
    assert abs(pairs.positive.mean() - 0.5) <= 0.03
    for lift in (1, 2, 5):
        for label in (0, 1):
            group = (pairs.lift == lift) & (s.labels[pairs.image_index] == label)
            assert abs(pairs.positive[group].sum() - group.sum() / 2) <= 0.5


def test_seeded_and_varies_by_epoch() -> None:
    a, b = sampler(3).epoch(2), sampler(3).epoch(2)
    assert np.array_equal(a.image_index, b.image_index) and np.array_equal(a.positive, b.positive)
    c = sampler(3).epoch(3)
    assert not np.array_equal(a.image_index, c.image_index)


def test_sampler_rejects_bad_labels() -> None:
    with pytest.raises(ValueError):
        PairSampler(np.array([0, 2]), np.array([1, 1]))


def test_mask_set_selects_by_lift_and_state(real_batch: RealBatch) -> None:
    cfg = create_model("siamese-fast", input_size=(32, 32)).preprocess_config
    masks = MaskSet.from_masks(
        {real_batch.lift: (real_batch.open_mask, real_batch.closed_mask)}, cfg
    )
    picked = masks.select(np.array([3, 3]), np.array([1, 0]))
    assert torch.equal(picked[0], cfg.mask_to_input(real_batch.open_mask)[0])
    assert torch.equal(picked[1], cfg.mask_to_input(real_batch.closed_mask)[0])
    with pytest.raises(KeyError, match="no masks for lift 9"):
        masks.select(np.array([9]), np.array([0]))
