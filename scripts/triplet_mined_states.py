"""What the triplet miner would pick under a checkpoint, per bar state (docs/ACCURACY.md).

Embeds the training images of the run's lifts (not augmented, eval mode) and their masks with
the checkpoint's weights, mines as a ``--hard-mining`` refinement epoch would, and prints how
many open and closed anchors were mined and how many of each violate ``d(A,P) < d(A,N)``::

    python scripts/triplet_mined_states.py runs/triplet-cmp-triplet-seen/last.pt \
        --data data/world --train-lifts seen --seed 1
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from models.train.config import TrainConfig
from models.train.data import load_data
from models.train.lifts import run_lifts
from models.train.triplet_task import TripletTask
from models.zoo.checkpoint import load_checkpoint
from models.zoo.miners import MiningSchedule


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path, help="A siamese checkpoint (.pt).")
    parser.add_argument("--data", default="data/world", help="The run's data set.")
    parser.add_argument("--train-lifts", default="all", choices=["all", "seen"])
    parser.add_argument("--seed", type=int, default=0, help="The run's seed.")
    parser.add_argument("--band", type=float, default=1.0, help="The miner's band (margin).")
    parser.add_argument("--balanced", action="store_true", help="Balanced mining.")
    args = parser.parse_args()
    torch.set_num_threads(1)
    checkpoint = load_checkpoint(args.weights)
    data = load_data(args.data, 1)
    lifts = run_lifts(data, TrainConfig(train_lifts=args.train_lifts, seed=args.seed))
    train = data.restrict(lifts.train).split("train")
    schedule = MiningSchedule(0, args.band, args.balanced)
    task = TripletTask(
        checkpoint.model, train, data.masks, 32, args.seed, torch.device("cpu"), mining=schedule
    )
    mined = task.mine()
    states = train.labels[mined.index.numpy()]
    violating = states[mined.hardness.numpy() > 0]
    print(
        f"epoch {checkpoint.extra.get('epoch')}: mined {len(mined)} of {len(train)} "
        f"(open {int(np.sum(states == 1))}, closed {int(np.sum(states == 0))}); violating "
        f"{len(violating)} (open {int(np.sum(violating == 1))}, "
        f"closed {int(np.sum(violating == 0))})"
    )


if __name__ == "__main__":
    main()
