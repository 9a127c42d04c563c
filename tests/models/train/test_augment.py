from __future__ import annotations

import torch

from models.train.augment import (
    AugmentConfig,
    LiftWarpConfig,
    augment_images,
    random_affine,
    warp_pairs,
)

NONE = AugmentConfig(0, 0, 0, 0, 0, 0, 0)


def _batch() -> torch.Tensor:
    return torch.rand(4, 3, 40, 50, generator=torch.Generator().manual_seed(1)) * 2 - 1


def test_zero_augmentation_is_the_identity() -> None:
    x = _batch()
    out = augment_images(x, torch.Generator().manual_seed(0), NONE)
    assert torch.allclose(out, x, atol=1e-5)


def test_same_seed_same_draws_other_seed_other_draws() -> None:
    x = _batch()
    a = augment_images(x, torch.Generator().manual_seed(3))
    b = augment_images(x, torch.Generator().manual_seed(3))
    c = augment_images(x, torch.Generator().manual_seed(4))
    assert a.shape == x.shape and torch.equal(a, b) and not torch.allclose(a, c)
    assert not torch.allclose(a, x)


def test_shift_moves_the_image_by_the_drawn_pixels() -> None:
    x = torch.zeros(1, 1, 21, 21)
    x[0, 0, 10, 10] = 1.0
    shift_only = AugmentConfig(shift_px=3.0, rotate_deg=0, scale=0, contrast=0, brightness=0,
                               gain=0, noise=0)  # fmt: skip
    theta = random_affine(1, (21, 21), shift_only, torch.Generator().manual_seed(5))
    out = augment_images(x, torch.Generator().manual_seed(5), shift_only)
    # affine_grid samples input at theta·output: the dot moves by −t (in pixels)
    dx, dy = (-theta[0, :, 2] * torch.tensor([21 / 2, 21 / 2])).tolist()
    peak = divmod(int(out[0, 0].argmax()), 21)
    assert abs(dx) <= 3 and abs(dy) <= 3
    assert abs(peak[0] - (10 + dy)) <= 1 and abs(peak[1] - (10 + dx)) <= 1


def test_pair_warp_moves_image_and_mask_alike_and_mirrors() -> None:
    x = _batch()
    images, masks = warp_pairs(x, x.clone(), torch.Generator().manual_seed(2))
    assert torch.equal(images, masks) and not torch.allclose(images, x)
    mirror_only = LiftWarpConfig(shift_px=0, rotate_deg=0, scale=0, mirror=1.0)
    images, _ = warp_pairs(x, x, torch.Generator().manual_seed(2), mirror_only)
    assert torch.allclose(images, x.flip(3), atol=1e-5)
