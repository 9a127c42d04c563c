"""Chairlift images and masks beside the crops GetNet's STN takes of them, as one PNG.

    python -m models.evaluate.getnet_crops --weights RUN/best.pt --data data/world \\
        --out docs/img/getnet_chairlift_crops.png [--lifts 1,6,11,17] [--split test]

One column per lift: its first open and first closed image of the split and its two masks,
each with the STN's window drawn in red (top) and the crop the sister network sees (below).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import torch

from models.pairing.figure import crops_grid
from models.zoo.checkpoint import load_checkpoint
from models.zoo.getnet import GetNet

log = logging.getLogger(__name__)


def _show(config_mean: np.ndarray, config_std: np.ndarray, x: torch.Tensor) -> np.ndarray:
    """A preprocessed (3, h, w) input back to an RGB image on 0..1."""
    rgb = x.permute(1, 2, 0).numpy() * config_std + config_mean
    return np.clip(rgb, 0.0, 1.0)


@torch.no_grad()
def save_chairlift_crops(
    model: GetNet, inputs: torch.Tensor, titles: list[str], path: Path
) -> Path:
    """``inputs`` (N, 3, H, W) preprocessed: row 1 with the STN's window, row 2 its crops."""
    model.eval()
    params, crops = model.stn.params(inputs), model.crops(inputs)
    cfg = model.preprocess_config
    mean, std = np.array(cfg.mean), np.array(cfg.std)
    images = [_show(mean, std, x) for x in inputs]
    return crops_grid(images, [_show(mean, std, c) for c in crops], params, path, titles, dpi=110)


def main(argv: list[str] | None = None) -> None:
    from models.train.data import load_data

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--lifts", default="1,6,11,17")
    parser.add_argument("--split", default="test")
    args = parser.parse_args(argv)
    model = load_checkpoint(args.weights, expected_model="getnet").model
    assert isinstance(model, GetNet)
    cfg = model.preprocess_config
    lifts = [int(v) for v in args.lifts.split(",")]
    data = load_data(args.data, 1).restrict(lifts)
    split = data.split(args.split)
    inputs, titles = [], []
    for lift in lifts:
        for label, name in ((1, "open"), (0, "closed")):
            index = np.flatnonzero((split.lifts == lift) & (split.labels == label))[:1]
            inputs.append(cfg.preprocess(split.images[index]))
            titles.append(f"L{lift:02d} {name}")
        open_mask, closed_mask = data.masks[lift]
        inputs.append(cfg.mask_to_input(np.stack([open_mask, closed_mask])))
        titles += [f"L{lift:02d} open mask", f"L{lift:02d} closed mask"]
    path = save_chairlift_crops(model, torch.cat(inputs), titles, args.out)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
