"""Engine plugins: the shipped model on the CPU, refusals with clear messages, torch ≡ ONNX."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from models.default import DEFAULT_MODEL_PATH
from models.zoo import create_model
from models.zoo.checkpoint import save_checkpoint
from models.zoo.export import export_onnx
from models.zoo.providers import cuda_usable
from service.inference.engines import (
    ENGINES,
    Engine,
    EngineError,
    OnnxEngine,
    TorchEngine,
    load_engine,
    onnx_engine,
    torch_engine,
)
from tests.service.inference.conftest import LiftWorld

TINY = (48, 48)


@dataclass(frozen=True)
class TinyFiles:
    """One freshly created siamese-fast saved both ways, and a classifier saved both ways."""

    onnx: Path
    checkpoint: Path
    classifier_onnx: Path
    classifier_checkpoint: Path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TinyFiles:
    out = tmp_path_factory.mktemp("tiny")
    torch.manual_seed(0)
    fast = create_model("siamese-fast", input_size=TINY, embedding_size=16, width=0.5).eval()
    classifier = create_model("classifier-paper", input_size=(16, 16)).eval()
    return TinyFiles(
        onnx=export_onnx(fast, out / "fast.onnx"),
        checkpoint=save_checkpoint(fast, out / "fast.pt"),
        classifier_onnx=export_onnx(classifier, out / "classifier.onnx"),
        classifier_checkpoint=save_checkpoint(classifier, out / "classifier.pt"),
    )


def test_the_shipped_model_runs_on_the_cpu(shipped: OnnxEngine, lift_world: LiftWorld) -> None:
    assert isinstance(shipped, Engine)
    assert shipped.name == "onnx-cpu" and shipped.path == DEFAULT_MODEL_PATH
    assert shipped.model_id.startswith("siamese-fast@") and len(shipped.model_id) == 25
    masks = np.stack([lift_world.open_mask, lift_world.closed_mask])
    rng = np.random.default_rng(0)
    crops = rng.integers(0, 256, (3, 120, 160, 3), dtype=np.uint8)
    batch = np.concatenate(
        [shipped.config.mask_to_input(masks).numpy(), shipped.config.preprocess(crops).numpy()]
    )
    out = shipped.embed(batch)
    assert out.shape == (5, 64) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_auto_picks_cuda_only_where_it_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_engine, "cuda_usable", lambda: False)
    assert onnx_engine.onnx_providers("auto") == ["CPUExecutionProvider"]
    monkeypatch.setattr(onnx_engine, "cuda_usable", lambda: True)
    assert onnx_engine.onnx_providers("auto")[0] == "CUDAExecutionProvider"
    assert onnx_engine.onnx_providers("cpu") == ["CPUExecutionProvider"]


def test_cuda_without_a_gpu_is_a_clear_error_and_logs_nothing(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tiny: TinyFiles,
) -> None:
    if cuda_usable():  # a GPU machine: pretend it has none
        monkeypatch.setattr(onnx_engine, "cuda_usable", lambda: False)
    if torch.cuda.is_available():
        monkeypatch.setattr(torch_engine.torch.cuda, "is_available", lambda: False)
    caplog.set_level(logging.DEBUG)
    capfd.readouterr()
    with pytest.raises(EngineError, match=r"'cuda' was requested for ONNX Runtime.*use device"):
        load_engine("onnx", device="cuda", threads=1)
    with pytest.raises(EngineError, match=r"'cuda' was requested for torch.*use device"):
        load_engine("torch", tiny.checkpoint, device="cuda")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert capfd.readouterr().err == ""


def test_torch_and_onnx_engines_agree(tiny: TinyFiles, lift_world: LiftWorld) -> None:
    onnx = load_engine("onnx", tiny.onnx, device="cpu", threads=1)
    torch_ = load_engine("torch", tiny.checkpoint, device="cpu", threads=1)
    assert isinstance(torch_, TorchEngine) and torch_.name == "torch-cpu"
    assert not torch_.model.training
    assert onnx.config == torch_.config
    assert onnx.model_id.split("@")[0] == torch_.model_id.split("@")[0] == "siamese-fast"
    masks = np.stack([lift_world.open_mask, lift_world.closed_mask])
    noise = np.random.default_rng(1).standard_normal((3, 3, *TINY)).astype(np.float32)
    batch = np.concatenate([onnx.config.mask_to_input(masks).numpy(), noise])
    a, b = onnx.embed(batch), torch_.embed(batch)
    assert a.shape == b.shape == (5, 16) and b.dtype == np.float32
    assert float(np.abs(a - b).max()) <= 1e-4


def test_model_id_follows_the_weights(tiny: TinyFiles, tmp_path: Path) -> None:
    first = load_engine("torch", tiny.checkpoint, device="cpu")
    other = create_model("siamese-fast", input_size=TINY, embedding_size=16, width=0.5)
    second = load_engine("torch", save_checkpoint(other, tmp_path / "other.pt"), device="cpu")
    same = load_engine("onnx", tiny.onnx, device="cpu", threads=1)
    again = load_engine("onnx", tiny.onnx, device="cpu", threads=1)
    assert first.model_id != second.model_id
    assert same.model_id == again.model_id


@pytest.mark.parametrize("kind", ["onnx", "torch"])
def test_a_classifier_is_refused(kind: str, tiny: TinyFiles) -> None:
    path = tiny.classifier_onnx if kind == "onnx" else tiny.classifier_checkpoint
    with pytest.raises(EngineError, match="classifier model: the inference pipeline needs"):
        load_engine(kind, path, device="cpu", threads=1)  # type: ignore[arg-type]


def test_load_engine_refusals(tmp_path: Path) -> None:
    assert set(ENGINES) >= {"onnx", "torch"}
    with pytest.raises(EngineError, match="unknown engine kind 'tensorrt'"):
        load_engine("tensorrt", device="cpu")  # type: ignore[arg-type]
    with pytest.raises(EngineError, match="ships no default model"):
        load_engine("torch")
    with pytest.raises(EngineError, match=r"missing\.onnx does not exist"):
        load_engine("onnx", tmp_path / "missing.onnx", device="cpu")
    with pytest.raises(EngineError, match=r"missing\.pt does not exist"):
        load_engine("torch", tmp_path / "missing.pt", device="cpu")
    with pytest.raises(EngineError, match="device must be one of"):
        load_engine("onnx", device="tpu")  # type: ignore[arg-type]


def test_a_batch_of_the_wrong_shape_is_refused(shipped: OnnxEngine) -> None:
    with pytest.raises(ValueError, match=r"batch must be \(N, 3, 200, 200\)"):
        shipped.embed(np.zeros((1, 3, 100, 100), np.float32))
