"""Dist-CAM and CAM formulas on hand-made feature maps, worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.explain.cam import (
    cam_map,
    distcam_map,
    distcam_weights,
    random_heatmap,
    to_heatmap,
    weighted_map,
)
from models.explain.explainers import CamExplainer, RandomExplainer
from models.zoo import create_model

# three channels of 2×2, each averaging 1
QUERY = np.array(
    [
        [[1.0, 1.0], [1.0, 1.0]],
        [[0.0, 2.0], [0.0, 2.0]],
        [[4.0, 0.0], [0.0, 0.0]],
    ]
)
SUPPORT_GAP = np.array([1.5, 0.75, 3.0])


def test_distcam_weights_worked_by_hand() -> None:
    # D = |S − Q| = (0.5, 0.25, 2); 1/D = (2, 4, 0.5), sum 6.5 → W = (4, 8, 1) / 13
    weights = distcam_weights(SUPPORT_GAP, QUERY)
    assert np.allclose(weights, np.array([4, 8, 1]) / 13, rtol=1e-5)
    # a support given as a feature map is pooled first: the same weights
    support_map = np.broadcast_to(SUPPORT_GAP[:, None, None], (3, 5, 5))
    assert np.allclose(distcam_weights(support_map, QUERY), weights)


def test_distcam_map_worked_by_hand() -> None:
    # M = 4/13·Q0 + 8/13·Q1 + 1/13·Q2
    expected = np.array([[8, 20], [4, 20]]) / 13
    assert np.allclose(distcam_map(SUPPORT_GAP, QUERY), expected, rtol=1e-5)


def test_the_channel_equal_to_the_support_dominates() -> None:
    support = QUERY.mean(axis=(1, 2)).copy()
    support[1:] += 1.0  # only channel 0 agrees exactly
    weights = distcam_weights(support, QUERY, eps=1e-6)
    assert weights[0] > 0.999 and np.isclose(weights.sum(), 1.0)


def test_relu_removes_negative_evidence() -> None:
    query = np.array([[[1.0, -3.0]], [[0.0, 0.0]]])
    assert np.array_equal(weighted_map(query, np.array([1.0, 0.0])), [[1.0, 0.0]])


def test_cam_on_a_hand_made_linear_head() -> None:
    fc = np.array([[1.0, -1.0, 0.0], [0.5, 2.0, 0.0]])
    # class 1: 0.5·Q0 + 2·Q1 = [[0.5, 4.5], [0.5, 4.5]]
    assert np.allclose(cam_map(QUERY, fc, 1), [[0.5, 4.5], [0.5, 4.5]])
    # class 0: Q0 − Q1 = [[1, −1], [1, −1]] → ReLU
    assert np.allclose(cam_map(QUERY, fc, 0), [[1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="class 2"):
        cam_map(QUERY, fc, 2)


def test_to_heatmap_upsamples_and_normalises() -> None:
    heat = to_heatmap(np.array([[0.0, 2.0], [1.0, 4.0]]), (20, 30))
    assert heat.shape == (20, 30) and heat.dtype == np.float32
    assert heat.min() == 0.0 and heat.max() == 1.0
    assert heat[-1, -1] == 1.0 and heat[0, 0] == 0.0  # the hot corner stays hot
    assert not to_heatmap(np.full((7, 7), 3.0), (10, 10)).any()


def test_bad_shapes_are_named() -> None:
    with pytest.raises(ValueError, match=r"\(K, h, w\)"):
        distcam_weights(SUPPORT_GAP, QUERY[0])
    with pytest.raises(ValueError, match="channels"):
        distcam_weights(SUPPORT_GAP[:2], QUERY)
    with pytest.raises(ValueError, match="channel weights"):
        weighted_map(QUERY, np.ones(2))


def test_cam_explainer_explains_the_top_class() -> None:
    torch.manual_seed(0)
    model = create_model("classifier-fast", input_size=(64, 64)).eval()
    images = np.random.default_rng(0).integers(0, 255, (3, 80, 80, 3), dtype=np.uint8)
    out = CamExplainer(model).explain(images)
    x = model.preprocess_config.preprocess(images)
    with torch.no_grad():
        feats, logits = model.features(x), model(x)
    assert np.array_equal(out.predicted, logits.argmax(1).numpy())
    assert out.heatmaps.shape == (3, 80, 80)
    weight = model.fc.weight.detach().numpy()
    for i, cls in enumerate(out.predicted):
        expected = to_heatmap(cam_map(feats[i].numpy(), weight, int(cls)), (80, 80))
        assert np.allclose(out.heatmaps[i], expected, atol=1e-5)


def test_cam_needs_a_linear_head_after_pooling() -> None:
    with pytest.raises(TypeError, match="linear head"):
        CamExplainer(create_model("classifier-paper", input_size=(16, 16)))


def test_random_maps_are_reproducible_and_normalised() -> None:
    images = np.zeros((2, 40, 40, 3), np.uint8)
    a, b = RandomExplainer(3).explain(images), RandomExplainer(3).explain(images)
    assert np.array_equal(a.heatmaps, b.heatmaps) and a.heatmaps.max() == 1.0
    assert not np.array_equal(a.heatmaps[0], a.heatmaps[1])
    rng = np.random.default_rng(0)
    assert random_heatmap(rng, (7, 7), (10, 10)).shape == (10, 10)
