import pytest
import torch

from models.zoo.decision import classify, decide
from models.zoo.distances import EuclideanDistance
from models.zoo.losses import ContrastiveLoss

ORIGIN = torch.tensor([[0.0, 0.0]])


def loss(y_mask: list[float], positive: bool, margin: float = 1.0) -> float:
    fn = ContrastiveLoss(margin=margin)
    return float(fn(ORIGIN, torch.tensor([y_mask]), torch.tensor([positive])))


def test_contrastive_loss_hand_values() -> None:
    assert loss([0.6, 0.8], positive=True) == pytest.approx(1.0)  # ‖·‖² = 1
    assert loss([0.6, 0.8], positive=False) == pytest.approx(0.0)  # max(1 − 1, 0)²
    assert loss([0.3, 0.4], positive=False) == pytest.approx(0.25)  # (1 − 0.5)²
    assert loss([0.3, 0.4], positive=True) == pytest.approx(0.25)  # 0.5²
    assert loss([0.3, 0.4], positive=False, margin=2.0) == pytest.approx(2.25)  # (2 − 0.5)²
    assert loss([0.0, 0.0], positive=False) == pytest.approx(1.0, abs=1e-5)


def test_contrastive_loss_is_the_batch_mean_and_differentiable_at_zero() -> None:
    y_i = torch.zeros(3, 2, requires_grad=True)
    y_m = torch.tensor([[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]])
    value = ContrastiveLoss()(y_i, y_m, torch.tensor([1, 0, 1]))
    assert value.item() == pytest.approx((1.0 + 0.25 + 0.0) / 3, abs=1e-6)
    value.backward()
    assert y_i.grad is not None and torch.isfinite(y_i.grad).all()


def test_contrastive_loss_refuses_a_squared_distance_or_bad_margin() -> None:
    with pytest.raises(ValueError):
        ContrastiveLoss(distance=EuclideanDistance(squared=True))
    with pytest.raises(ValueError):
        ContrastiveLoss(margin=0.0)


def test_euclidean_distance() -> None:
    a, b = torch.tensor([[0.0, 0.0], [1.0, 1.0]]), torch.tensor([[3.0, 4.0], [1.0, 1.0]])
    assert torch.allclose(EuclideanDistance()(a, b), torch.tensor([5.0, 0.0]), atol=1e-5)
    assert torch.allclose(EuclideanDistance(squared=True)(a, b), torch.tensor([25.0, 0.0]))
    with pytest.raises(ValueError):
        EuclideanDistance()(a, torch.zeros(2, 3))


def test_decision_takes_the_nearer_mask() -> None:
    images = torch.tensor([[0.0, 0.9], [0.0, -0.8], [0.0, 0.0]])
    open_, closed = torch.tensor([0.0, 1.0]), torch.tensor([[0.0, -1.0]])
    d = decide(images, open_, closed)
    assert d.state.tolist() == [1, 0, 1]  # the tie (third) goes to open
    assert torch.allclose(d.d_open, torch.tensor([0.1, 1.8, 1.0]), atol=1e-5)
    assert torch.allclose(d.d_closed, torch.tensor([1.9, 0.2, 1.0]), atol=1e-5)
    assert torch.allclose(d.margin, torch.tensor([1.8, 1.6, 0.0]), atol=1e-5)
    assert torch.allclose(d.score, torch.tensor([1.8, -1.6, 0.0]), atol=1e-5)


def test_decision_with_one_mask_pair_per_image() -> None:
    images = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    opens = torch.tensor([[1.0, 0.1], [-1.0, 0.0]])
    closeds = torch.tensor([[-1.0, 0.0], [1.0, 0.1]])
    assert decide(images, opens, closeds).state.tolist() == [1, 0]
    with pytest.raises(ValueError):
        decide(images, torch.zeros(3, 2), closeds)


def test_classify_applies_softmax() -> None:
    state, probs = classify(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
    assert state.tolist() == [0, 1]
    assert torch.allclose(probs.sum(dim=1), torch.ones(2))
