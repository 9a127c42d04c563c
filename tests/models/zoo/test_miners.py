"""The hard-case miner on hand-made distances: known selection, known order."""

from __future__ import annotations

import pytest
import torch

from models.zoo.miners import HardTripletMiner, MiningSchedule

# hardness d(A,P) − d(A,N) = [−0.9, 0.1, −0.05, −1.3, 0.6]
D_AP = torch.tensor([0.1, 0.9, 0.5, 0.2, 1.0])
D_AN = torch.tensor([1.0, 0.8, 0.55, 1.5, 0.4])


def test_picks_near_and_violating_triplets_hardest_first() -> None:
    mined = HardTripletMiner(band=0.2).mine(D_AP, D_AN)
    assert mined.index.tolist() == [4, 1, 2]  # 0.6, 0.1, −0.05 (> −0.2); 0 and 3 are easy
    assert mined.hardness.tolist() == pytest.approx([0.6, 0.1, -0.05])
    assert mined.violating == 2 and mined.total == 5 and len(mined) == 3


def test_band_zero_keeps_the_violating_ones_only() -> None:
    assert HardTripletMiner(band=0.0).mine(D_AP, D_AN).index.tolist() == [4, 1]


def test_a_wide_band_keeps_everything_in_order() -> None:
    assert HardTripletMiner(band=2.0).mine(D_AP, D_AN).index.tolist() == [4, 1, 2, 0, 3]


def test_min_count_tops_up_with_the_next_hardest_and_max_count_cuts() -> None:
    assert HardTripletMiner(band=0.2, min_count=4).mine(D_AP, D_AN).index.tolist() == [4, 1, 2, 0]
    assert HardTripletMiner(band=0.2, max_count=2).mine(D_AP, D_AN).index.tolist() == [4, 1]
    # more wanted than there are: all of them
    assert len(HardTripletMiner(band=0.0, min_count=10).mine(D_AP, D_AN)) == 5


def test_ties_keep_the_input_order() -> None:
    same = torch.full((3,), 0.5)
    assert HardTripletMiner(band=0.1).mine(same, same).index.tolist() == [0, 1, 2]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="band"):
        HardTripletMiner(band=-1.0)
    with pytest.raises(ValueError, match="max_count"):
        HardTripletMiner(band=0.1, min_count=5, max_count=2)
    with pytest.raises(ValueError, match=r"\(N,\)"):
        HardTripletMiner(band=0.1).mine(D_AP, D_AN[:3])


def test_schedule_refines_after_the_warm_up() -> None:
    schedule = MiningSchedule(warmup_epochs=2, band=0.5)
    assert [schedule.refines(e) for e in range(4)] == [False, False, True, True]
    with pytest.raises(ValueError, match="warmup_epochs"):
        MiningSchedule(warmup_epochs=-1, band=0.5)


def test_balanced_mining_takes_as_many_of_each_group() -> None:
    # group 1: triplets 0 (−0.9), 1 (0.1), 4 (0.6), two hard; group 0: 2 (−0.05), 3 (−1.3),
    # one hard: each group gives its 2 hardest, merged hardest first
    groups = torch.tensor([1, 1, 0, 0, 1])
    mined = HardTripletMiner(band=0.2).mine(D_AP, D_AN, groups)
    assert mined.index.tolist() == [4, 1, 2, 3]
    assert mined.violating == 2 and mined.total == 5
    # only the violating ones are hard (band 0): group 1 has 2, group 0 none → 2 each again
    assert HardTripletMiner(band=0.0).mine(D_AP, D_AN, groups).index.tolist() == [4, 1, 2, 3]
    # one group: the plain selection
    ones = torch.ones(5, dtype=torch.long)
    assert HardTripletMiner(band=0.2).mine(D_AP, D_AN, ones).index.tolist() == [4, 1, 2]
    with pytest.raises(ValueError, match="groups"):
        HardTripletMiner(band=0.2).mine(D_AP, D_AN, groups[:3])
