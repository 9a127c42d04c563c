"""Training-time augmentation of registered images (never of masks, never at evaluation).

With 100 training images per lift, the test images differ from the training ones mostly by
weather, light, passengers and the small residual of registration. ``augment_images`` imitates
the last two kinds of change on a batch of preprocessed images, each image drawing its own:

* geometry: a shift of up to ``shift_px`` pixels, a rotation of up to ``rotate_deg`` degrees and
  a scale change of up to ``scale`` (registration residual; small beside the bar's own travel
  between the open and closed masks, so the label never changes);
* photometry: contrast × [1 − c, 1 + c], brightness ± b, a per-channel gain ± g (colour cast)
  and Gaussian noise of a standard deviation up to ``noise`` (in normalised units).

``warp_pairs`` is the second, optional kind (``--augment-lifts``): one random geometry — a
larger shift, rotation and scale, and a mirror half of the time — applied to an image AND the
mask it is paired with, so that the pair looks like it came from a lift with another camera
placement. Training on 15 lifts, the network otherwise learns those 15 lifts' geometry by heart;
with this it must learn to compare an image with a mask wherever the carrier lies, which is what
a lift it has never seen asks of it.

Draws come from a ``torch.Generator`` the caller seeds (by run seed and epoch), so a resumed run
sees the same augmented epochs as an uninterrupted one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class AugmentConfig:
    shift_px: float = 4.0
    rotate_deg: float = 2.0
    scale: float = 0.04
    contrast: float = 0.3
    brightness: float = 0.2
    gain: float = 0.1
    noise: float = 0.04


DEFAULT_AUGMENT = AugmentConfig()


@dataclass(frozen=True)
class LiftWarpConfig:
    shift_px: float = 16.0
    rotate_deg: float = 8.0
    scale: float = 0.12
    mirror: float = 0.5  # probability


DEFAULT_LIFT_WARP = LiftWarpConfig()


def _uniform(n: int, half_width: float, generator: torch.Generator) -> torch.Tensor:
    """``n`` draws from U(−half_width, half_width)."""
    return (torch.rand(n, generator=generator) * 2 - 1) * half_width


def random_affine(
    n: int, size: tuple[int, int], cfg: AugmentConfig, generator: torch.Generator
) -> torch.Tensor:
    """(n, 2, 3) ``affine_grid`` matrices: rotation, isotropic scale and shift per image."""
    h, w = size
    angle = _uniform(n, math.radians(cfg.rotate_deg), generator)
    scale = 1 + _uniform(n, cfg.scale, generator)
    tx = _uniform(n, 2 * cfg.shift_px / w, generator)  # affine_grid spans [-1, 1]
    ty = _uniform(n, 2 * cfg.shift_px / h, generator)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    return torch.stack(
        [torch.stack([cos, -sin, tx], dim=1), torch.stack([sin, cos, ty], dim=1)], dim=1
    )


def augment_images(
    x: torch.Tensor, generator: torch.Generator, cfg: AugmentConfig = DEFAULT_AUGMENT
) -> torch.Tensor:
    """A randomly shifted, rotated, scaled, re-lit and noised copy of the batch ``x`` (N, C, H, W).

    Random numbers are drawn on the CPU from ``generator`` and moved to ``x``'s device.
    """
    n, c, h, w = x.shape
    if n == 0:
        return x
    theta = random_affine(n, (h, w), cfg, generator).to(x.device, x.dtype)
    grid = F.affine_grid(theta, [n, c, h, w], align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    contrast = (1 + _uniform(n, cfg.contrast, generator)).view(n, 1, 1, 1)
    brightness = _uniform(n, cfg.brightness, generator).view(n, 1, 1, 1)
    gain = (1 + _uniform(n * c, cfg.gain, generator)).view(n, c, 1, 1)
    sigma = (torch.rand(n, generator=generator) * cfg.noise).view(n, 1, 1, 1)
    noise = torch.randn(out.shape, generator=generator) * sigma
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    out = (out - mean) * contrast.to(out) + mean
    out = out * gain.to(out) + brightness.to(out)
    return out + noise.to(out)


def warp_pairs(
    images: torch.Tensor,
    masks: torch.Tensor,
    generator: torch.Generator,
    cfg: LiftWarpConfig = DEFAULT_LIFT_WARP,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The same random geometry (and mirror) applied to each image and its paired mask."""
    n, c, h, w = images.shape
    if n == 0:
        return images, masks
    geometry = AugmentConfig(cfg.shift_px, cfg.rotate_deg, cfg.scale, 0, 0, 0, 0)
    theta = random_affine(n, (h, w), geometry, generator)
    mirror = torch.rand(n, generator=generator) < cfg.mirror
    theta[mirror, :, 0] *= -1  # x_in = −x_out: a left-right mirror before the affine
    theta = theta.to(images.device, images.dtype)
    grid = F.affine_grid(theta, [n, c, h, w], align_corners=False)

    def warp(x: torch.Tensor) -> torch.Tensor:
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)

    return warp(images), warp(masks)
