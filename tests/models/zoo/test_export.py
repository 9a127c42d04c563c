import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from models.zoo import create_model, list_models
from models.zoo.export import METADATA_KEY, OnnxModel, OnnxModelError, export_onnx, sidecar_path
from models.zoo.preprocess import PreprocessConfig
from models.zoo.providers import CPU, select_providers
from tests.models.zoo.conftest import RealBatch

TOL = 1e-4
# vgg16 and resnet50 are exported at 64×64 to keep the test fast; the others at 200×200
SIZES = {"siamese-paper": (200, 200), "classifier-paper": (200, 200), "siamese-fast": (200, 200)}


def assert_close(onnx_out: np.ndarray, torch_out: torch.Tensor) -> None:
    ref = torch_out.numpy()
    assert onnx_out.shape == ref.shape
    diff = float(np.abs(onnx_out - ref).max())
    assert diff <= TOL, diff
    assert diff <= 1e-3 * float(np.abs(ref).max()) + 1e-7  # meaningful also for tiny outputs


@pytest.mark.parametrize("name", list_models())
def test_onnx_matches_torch(name: str, tmp_path: Path, real_batch: RealBatch) -> None:
    torch.manual_seed(0)
    model = create_model(name, input_size=SIZES.get(name, (64, 64))).eval()
    cfg = model.preprocess_config
    path = export_onnx(model, tmp_path / f"{name}.onnx")
    runtime = OnnxModel(path, providers=[CPU])
    assert runtime.config == cfg and runtime.kind == model.kind

    real = torch.cat(
        [
            cfg.preprocess(real_batch.images),
            cfg.mask_to_input(np.stack([real_batch.open_mask, real_batch.closed_mask])),
        ]
    )
    for batch in (torch.randn(3, 3, *cfg.input_size), real):
        with torch.no_grad():
            expected = model(batch)
        out = runtime.embed(batch) if model.kind == "siamese" else runtime.logits(batch)
        assert_close(out, expected)


def test_config_travels_in_metadata_and_sidecar(tmp_path: Path) -> None:
    model = create_model("siamese-fast", input_size=(48, 48))
    path = export_onnx(model, tmp_path / "fast.onnx")
    proto = onnx.load(str(path))
    meta = {p.key: p.value for p in proto.metadata_props}
    assert PreprocessConfig.from_json(meta[METADATA_KEY]) == model.preprocess_config
    side = sidecar_path(path)
    assert side == tmp_path / "fast.json"
    assert PreprocessConfig.from_json(side.read_text()) == model.preprocess_config
    assert [o.name for o in proto.graph.output] == ["embedding"]
    assert [i.name for i in proto.graph.input] == ["image"]
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert {o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")} == {17}

    runtime = OnnxModel(path)
    assert runtime.embed(np.zeros((5, 3, 48, 48), np.float32)).shape == (5, 64)  # dynamic batch
    with pytest.raises(TypeError, match="embed"):
        runtime.logits(np.zeros((1, 3, 48, 48), np.float32))
    with pytest.raises(ValueError, match="batch must be"):
        runtime.embed(np.zeros((1, 3, 64, 64), np.float32))

    side.unlink()  # the metadata alone is enough
    assert OnnxModel(path).config == model.preprocess_config
    other = model.preprocess_config.to_dict() | {"input_size": [64, 64]}
    side.write_text(json.dumps(other))
    with pytest.raises(OnnxModelError, match="disagree"):
        OnnxModel(path)


def test_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(OnnxModelError, match="does not exist"):
        OnnxModel(tmp_path / "none.onnx")


def test_cpu_is_always_a_provider() -> None:
    providers = select_providers()
    assert providers[-1] == CPU
    assert select_providers(prefer_cuda=False) == [CPU]
