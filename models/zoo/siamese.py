"""The siamese logic: one branch (the model) embeds both the image and the mask.

Training embeds an image batch and its mask batch in ONE forward pass (concatenated), so
BatchNorm layers normalise with the statistics of the mixed batch, the same mixture their
running statistics hold at inference, when images and masks are embedded separately.
"""

from __future__ import annotations

import torch
from torch import nn


def embed_pair(
    model: nn.Module, images: torch.Tensor, masks: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(y_images, y_masks) of (N, 3, h, w) images and their (N, 3, h, w) masks."""
    if images.shape != masks.shape:
        raise ValueError(f"images and masks differ in shape: {images.shape} vs {masks.shape}")
    out: torch.Tensor = model(torch.cat([images, masks]))
    return out[: len(images)], out[len(images) :]


@torch.no_grad()
def embed(model: nn.Module, inputs: torch.Tensor, batch_size: int = 64) -> torch.Tensor:
    """Embeddings of preprocessed ``inputs`` in batches (no grad; the model's current mode)."""
    parts = [model(inputs[i : i + batch_size]) for i in range(0, len(inputs), batch_size)]
    return torch.cat(parts) if parts else torch.zeros(0)
