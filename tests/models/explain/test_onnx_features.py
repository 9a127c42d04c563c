"""ONNX graph surgery: the exposed feature map equals torch's ``features()``; the shipped model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import numpy_helper

from models.explain.onnx_features import (
    FEATURES_OUTPUT,
    FeatureOnnxModel,
    FeatureSurgeryError,
    add_feature_output,
)
from models.zoo import create_model
from models.zoo.export import export_onnx

SHIPPED = Path("models/default/siamese-fast.onnx")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["siamese-fast", "classifier-fast"])
def test_surgery_output_equals_torch_features(name: str, tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = create_model(name, input_size=(64, 64)).eval()
    for module in model.modules():  # non-trivial BatchNorm statistics
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
    path = export_onnx(model, tmp_path / f"{name}.onnx")
    x = torch.randn(3, 3, 64, 64)
    with torch.no_grad():
        expected_feats, expected_out = model.features(x).numpy(), model(x).numpy()
    out, feats = FeatureOnnxModel(path, threads=1).run(x.numpy())
    assert feats.shape == expected_feats.shape == (3, model.feature_channels, 2, 2)
    assert np.abs(feats - expected_feats).max() <= 1e-4
    assert np.abs(out - expected_out).max() <= 1e-4


def test_surgery_leaves_the_graph_otherwise_alone(tmp_path: Path) -> None:
    path = export_onnx(create_model("siamese-fast", input_size=(32, 32)), tmp_path / "m.onnx")
    proto = onnx.load(str(path))
    changed = add_feature_output(proto)
    assert [o.name for o in changed.graph.output] == ["embedding", FEATURES_OUTPUT]
    assert len(changed.graph.node) == len(proto.graph.node) + 1
    assert [o.name for o in proto.graph.output] == ["embedding"]  # the input is not modified
    again = add_feature_output(changed)  # idempotent
    assert len(again.graph.output) == 2


def test_a_model_without_global_pooling_is_refused(tmp_path: Path) -> None:
    path = export_onnx(create_model("siamese-paper", input_size=(16, 16)), tmp_path / "p.onnx")
    with pytest.raises(FeatureSurgeryError, match="no global average pooling"):
        FeatureOnnxModel(path)
    with pytest.raises(FeatureSurgeryError, match="does not exist"):
        FeatureOnnxModel(tmp_path / "missing.onnx")


def test_the_shipped_model_embeds_its_exposed_feature_map() -> None:
    """The exposed map is the one the head reads: normalize(proj(GAP(features))) = embedding."""
    model = FeatureOnnxModel(SHIPPED, threads=1)
    x = np.random.default_rng(0).standard_normal((2, 3, 200, 200)).astype(np.float32)
    embedding, feats = model.run(x)
    assert feats.shape == (2, 256, 7, 7)
    weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(SHIPPED)).graph.initializer}
    projected = feats.mean(axis=(2, 3)) @ weights["proj.weight"].T + weights["proj.bias"]
    projected /= np.linalg.norm(projected, axis=1, keepdims=True)
    assert np.abs(projected - embedding).max() <= 1e-4
