"""Rebuilding a trainable model from its folded ONNX export (``models.zoo.onnx_import``)."""

import copy
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from models.zoo import create_model
from models.zoo.checkpoint import load_checkpoint, save_checkpoint
from models.zoo.export import export_onnx
from models.zoo.onnx_import import OnnxImportError, import_onnx
from models.zoo.preprocess import preprocess

SIZE = (64, 64)


def images(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (n, 8, 8, 3), dtype=np.uint8)
    return np.stack([np.kron(im, np.ones((8, 8, 1), np.uint8)) for im in base])


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[nn.Module, Path]:
    """A siamese-fast whose BatchNorms are far from the identity, exported (folded)."""
    torch.manual_seed(0)
    model = create_model("siamese-fast", input_size=SIZE)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            c = module.num_features
            module.running_mean.copy_(0.3 * torch.randn(c))
            module.running_var.copy_(torch.rand(c) * 2 + 0.2)
            module.weight.data.copy_(torch.rand(c) + 0.5)
            module.bias.data.copy_(0.2 * torch.randn(c))
    model.eval()
    path = export_onnx(model, tmp_path_factory.mktemp("onnx") / "fast.onnx")
    return model, path


def test_the_rebuilt_model_computes_what_the_original_did(exported) -> None:
    original, path = exported
    rebuilt, report = import_onnx(path, images(24, 0))
    assert report.convolutions == report.batchnorms == 16
    assert report.copied == ("proj.weight", "proj.bias")
    assert report.max_difference <= 1e-4
    x = preprocess(images(5, 1), rebuilt.preprocess_config)  # other images than calibration's
    with torch.no_grad():
        assert torch.allclose(rebuilt(x), original(x), atol=1e-4)


def test_batchnorm_in_training_mode_starts_where_eval_mode_is(exported) -> None:
    _, path = exported
    calibration = images(24, 0)
    rebuilt, _ = import_onnx(path, calibration)
    x = preprocess(calibration, rebuilt.preprocess_config)
    training = copy.deepcopy(rebuilt).train()
    with torch.no_grad():
        # on the calibration batch, batch statistics are the running ones: the same function
        assert torch.allclose(training(x), rebuilt(x), atol=1e-4)
        # while a placeholder BatchNorm (mean 0, variance 1) would not be
        naive = copy.deepcopy(rebuilt)
        for module in naive.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.zero_()
                module.running_var.fill_(1.0)
        assert not torch.allclose(naive(x), rebuilt(x), atol=1e-2)


def test_a_checkpoint_of_it_loads_back(exported, tmp_path: Path) -> None:
    _, path = exported
    rebuilt, _ = import_onnx(path, images(8, 0))
    saved = load_checkpoint(save_checkpoint(rebuilt, tmp_path / "x.pt"), "siamese-fast")
    x = preprocess(images(3, 2), rebuilt.preprocess_config)
    with torch.no_grad():
        assert torch.equal(saved.model(x), rebuilt(x))


def test_another_architecture_is_refused_by_name(tmp_path: Path) -> None:
    narrow = create_model("siamese-fast", input_size=SIZE, width=0.5).eval()
    path = export_onnx(narrow, tmp_path / "narrow.onnx")
    with pytest.raises(
        OnnxImportError, match=r"convolution 0: the model's weight is \(16, 5, 3, 3\)"
    ):
        import_onnx(path, images(4, 0))


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OnnxImportError, match="does not exist"):
        import_onnx(tmp_path / "none.onnx", images(4, 0))
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(OnnxImportError, match="not a readable ONNX file"):
        import_onnx(junk, images(4, 0))


def test_calibration_needs_images(exported) -> None:
    _, path = exported
    with pytest.raises(OnnxImportError, match="at least 2 images"):
        import_onnx(path, images(1, 0))
