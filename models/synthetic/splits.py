"""Split sizes of the paper's data sets (Alqasir et al., VISAPP 2020, Tables 1 and 3).

Lift k of the synthetic world takes row k of the tables: its train, validation and test sizes
and its open/closed proportions. Lifts beyond 20 reuse the rows cyclically.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# (train open, train closed, validation open, validation closed, test open, test closed)
TABLE1: tuple[tuple[int, int, int, int, int, int], ...] = (
    (46, 54, 39, 61, 438, 462),
    (53, 47, 62, 38, 408, 277),
    (88, 12, 88, 12, 444, 60),
    (62, 38, 45, 55, 151, 148),
    (68, 32, 71, 29, 362, 208),
    (54, 46, 54, 46, 283, 302),
    (91, 9, 95, 5, 722, 89),
    (64, 36, 68, 32, 630, 293),
    (58, 42, 60, 40, 389, 329),
    (74, 26, 77, 23, 859, 344),
    (24, 76, 38, 62, 93, 166),
    (57, 43, 67, 33, 125, 62),
    (62, 38, 56, 44, 201, 184),
    (71, 29, 76, 24, 551, 258),
    (53, 47, 46, 54, 763, 628),
    (44, 56, 41, 59, 305, 383),
    (87, 13, 75, 25, 221, 48),
    (57, 43, 52, 48, 298, 222),
    (15, 85, 14, 86, 67, 422),
    (56, 44, 60, 40, 813, 847),
)

# Large train set (open, closed); validation and test are Table 1's.
TABLE3: tuple[tuple[int, int], ...] = (
    (1209, 1239),
    (1003, 800),
    (1249, 142),
    (449, 418),
    (1034, 524),
    (725, 733),
    (2024, 209),
    (1716, 776),
    (1137, 853),
    (2445, 1048),
    (206, 495),
    (316, 218),
    (638, 436),
    (1309, 624),
    (2018, 1646),
    (993, 899),
    (651, 123),
    (829, 625),
    (188, 1120),
    (2022, 1511),
)

SPLITS = ("train", "val", "test")
VARIANTS = ("small", "large")


@dataclass(frozen=True)
class SplitSize:
    open: int
    closed: int

    @property
    def total(self) -> int:
        return self.open + self.closed


def split_sizes(
    lift_id: int, variant: str = "small", train_scale: float = 1.0, test_scale: float = 1.0
) -> dict[str, SplitSize]:
    """Sizes of each split of ``lift_id`` (1-based).

    ``train_scale`` shrinks the large variant's train set (a documented option for slow
    machines); ``test_scale`` shrinks the test set (quick runs). Both keep the proportions and at
    least one image of each class present in the table.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    row = TABLE1[(lift_id - 1) % len(TABLE1)]
    train = SplitSize(row[0], row[1])
    if variant == "large":
        big = TABLE3[(lift_id - 1) % len(TABLE3)]
        train = SplitSize(_scaled(big[0], train_scale), _scaled(big[1], train_scale))
    test = SplitSize(_scaled(row[4], test_scale), _scaled(row[5], test_scale))
    return {"train": train, "val": SplitSize(row[2], row[3]), "test": test}


def _scaled(n: int, scale: float) -> int:
    if not 0 < scale <= 1:
        raise ValueError(f"scale must be in (0, 1], got {scale}")
    return max(1 if n else 0, round(n * scale))


def leave_lifts_out(lifts: list[int], seed: int, unseen: int = 5) -> tuple[list[int], list[int]]:
    """(seen, unseen) lifts: train on the seen, test on the ``unseen`` never shown in training."""
    if not 0 < unseen < len(lifts):
        raise ValueError(f"cannot leave {unseen} of {len(lifts)} lifts out")
    rng = np.random.default_rng([seed, 4242])
    held = sorted(int(x) for x in rng.choice(lifts, size=unseen, replace=False))
    return [x for x in lifts if x not in held], held
