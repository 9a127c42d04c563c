"""The triplet loss against values worked out by hand."""

from __future__ import annotations

import pytest
import torch

from models.zoo.distances import EuclideanDistance
from models.zoo.triplet_loss import TripletLoss

# triplet 0: d²(A,P) = 9, d²(A,N) = 4 → max(9 − 4 + 1, 0) = 6 (plain: 3 − 2 + 1 = 2)
# triplet 1: d²(A,P) = 1, d²(A,N) = 25 → max(1 − 25 + 1, 0) = 0 (plain: 1 − 5 + 1 < 0 → 0)
ANCHORS = [[0.0, 0.0], [1.0, 1.0]]
POSITIVES = [[3.0, 0.0], [1.0, 2.0]]
NEGATIVES = [[0.0, 2.0], [4.0, 5.0]]


def _batch(requires_grad: bool = False) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    a = torch.tensor(ANCHORS, requires_grad=requires_grad)
    return a, torch.tensor(POSITIVES), torch.tensor(NEGATIVES)


def test_squared_distances_by_default() -> None:
    loss = TripletLoss(margin=1.0)
    assert float(loss(*_batch())) == pytest.approx((6.0 + 0.0) / 2)
    d_ap, d_an = loss.distances(*_batch())
    assert d_ap.tolist() == pytest.approx([9.0, 1.0]) and d_an.tolist() == pytest.approx([4, 25])


def test_plain_distance_and_another_margin() -> None:
    plain = TripletLoss(margin=1.0, distance=EuclideanDistance(squared=False))
    assert float(plain(*_batch())) == pytest.approx((2.0 + 0.0) / 2)
    # margin 5: triplet 1 becomes active, 1 − 25 + 5 < 0 still; triplet 0: 9 − 4 + 5 = 10
    assert float(TripletLoss(margin=5.0)(*_batch())) == pytest.approx(10.0 / 2)
    # margin 30: both active: (9 − 4 + 30) + (1 − 25 + 30) = 35 + 6
    assert float(TripletLoss(margin=30.0)(*_batch())) == pytest.approx(41.0 / 2)


def test_gradient_moves_the_anchor_of_the_active_triplet_only() -> None:
    a, p, n = _batch(requires_grad=True)
    TripletLoss(margin=1.0)(a, p, n).backward()
    assert a.grad is not None
    # d/dA (‖A − P‖² − ‖A − N‖²) = 2 (N − P) = 2 ([0, 2] − [3, 0]), halved by the mean
    assert a.grad.tolist() == [pytest.approx([-3.0, 2.0]), pytest.approx([0.0, 0.0])]


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="margin"):
        TripletLoss(margin=0.0)
    a, p, n = _batch()
    with pytest.raises(ValueError, match="differ in shape"):
        TripletLoss()(a, p[:1], n)


def test_no_triplet_gives_a_zero_that_backpropagates() -> None:
    a = torch.zeros(0, 4, requires_grad=True)
    out = TripletLoss()(a, torch.zeros(0, 4), torch.zeros(0, 4))
    out.backward()
    assert float(out.detach()) == 0.0 and a.grad is not None
