"""The hashing models: shapes, thresholded codes, the segmentation branch, classes, pooling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
import torch.nn.functional as F

from models.zoo import create_model
from models.zoo.export import export_onnx
from models.zoo.hash_classes import class_ids, class_map, class_name
from models.zoo.hashing import BITS, HashingModel
from models.zoo.psp import PyramidPooling, adaptive_pool


def hashing(name: str, **kw: object) -> HashingModel:
    model = create_model(name, **kw)
    assert isinstance(model, HashingModel)
    return model


@pytest.mark.parametrize("name", ["hashing-dlbhc", "hashing-psp"])
@pytest.mark.parametrize("size", [(64, 64), (48, 80)])
def test_output_shapes(name: str, size: tuple[int, int]) -> None:
    torch.manual_seed(0)
    model = hashing(name, input_size=size).eval()
    x = torch.randn(3, 3, *size)
    logits, probs, seg = model.outputs(x)
    assert logits.shape == (3, 40) and probs.shape == (3, BITS)
    assert (
        model.preprocess_config.num_classes == 40 and model.preprocess_config.kind == "classifier"
    )
    assert bool(((probs > 0) & (probs < 1)).all())
    assert torch.equal(model(x), logits)
    if name == "hashing-psp":
        assert seg is not None and seg.shape == (3, 4, *size)  # per-pixel classes at input size
        assert model.segment(x).shape == (3, 4, *size)
    else:
        assert seg is None
        with pytest.raises(TypeError, match="no segmentation branch"):
            model.segment(x)


def test_codes_are_the_sigmoid_thresholded_at_one_half() -> None:
    model = hashing("hashing-dlbhc", input_size=(32, 32), bits=6).eval()
    bias = torch.tensor([-3.0, -0.01, 0.0, 0.01, 2.0, -1.0])
    with torch.no_grad():
        model.head.latent.weight.zero_()  # the hash layer outputs sigmoid(bias) for any input
        model.head.latent.bias.copy_(bias)
    x = torch.randn(2, 3, 32, 32)
    assert torch.allclose(model.hash_probs(x), torch.sigmoid(bias).expand(2, -1))
    expected = torch.tensor([0, 0, 1, 1, 1, 0], dtype=torch.uint8)  # sigmoid(0) = 0.5 → 1
    assert torch.equal(model.codes(x), expected.expand(2, -1))


def test_the_hash_layer_feeds_the_classifier() -> None:
    """The classifier reads the 48 sigmoid outputs: the logits are a linear map of them."""
    model = hashing("hashing-psp", input_size=(32, 32)).eval()
    x = torch.randn(2, 3, 32, 32)
    logits, probs, _ = model.outputs(x, segment=False)
    assert torch.allclose(model.head.classifier(probs), logits)


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="num_classes"):
        create_model("hashing-dlbhc", num_classes=39)
    with pytest.raises(ValueError, match="bits"):
        create_model("hashing-psp", bits=0)


def test_classes_of_lift_and_bar_state() -> None:
    ids = class_ids(np.array([1, 1, 2, 20]), np.array([0, 1, 0, 1]), 40)
    assert ids.tolist() == [0, 1, 2, 39]
    assert class_name(0) == "L01 closed" and class_name(39) == "L20 open"
    assert len(class_map(40)) == 40
    with pytest.raises(ValueError, match=r"lifts 1\.\.2"):
        class_ids(np.array([3]), np.array([0]), 4)


@pytest.mark.parametrize("size", [(8, 8), (12, 12), (7, 9), (25, 25)])
def test_pooling_matches_adaptive_average_pooling(size: tuple[int, int]) -> None:
    x = torch.randn(2, 5, *size)
    for grid in (1, 2, 3, 4):
        assert torch.allclose(adaptive_pool(x, grid), F.adaptive_avg_pool2d(x, grid), atol=1e-6)


def test_pyramid_pooling_stacks_the_map_with_four_streams() -> None:
    psp = PyramidPooling(16).eval()
    x = torch.randn(2, 16, 6, 6)
    out = psp(x)
    assert out.shape == (2, 32, 6, 6) and psp.out_channels == 32
    assert torch.equal(out[:, :16], x)  # the original map comes first, untouched
    with pytest.raises(ValueError, match="divide"):
        PyramidPooling(10)


def test_export_gives_logits_and_the_hash_layer(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = hashing("hashing-psp", input_size=(40, 40)).eval()
    path = export_onnx(model, tmp_path / "h.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["logits", "hash"]
    x = torch.randn(3, 3, 40, 40)
    logits, probs = session.run(None, {"image": x.numpy()})
    with torch.no_grad():
        ref_logits, ref_probs, _ = model.outputs(x, segment=False)
    assert np.abs(probs - ref_probs.numpy()).max() < 1e-5
    assert np.abs(logits - ref_logits.numpy()).max() < 1e-4
