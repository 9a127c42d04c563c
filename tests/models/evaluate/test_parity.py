from pathlib import Path

from models.evaluate.parity import Parity, check_parity
from models.zoo.checkpoint import load_checkpoint
from models.zoo.export import export_onnx


def test_tolerance_scales_with_the_outputs() -> None:
    assert Parity(5e-5, 0.5, 6).ok(1e-4)
    assert not Parity(5e-4, 0.5, 6).ok(1e-4)
    assert Parity(5e-4, 10.0, 6).ok(1e-4)  # 5e-5 of the output scale
    assert not Parity(float("nan"), 1.0, 6).ok(1e-4)


def test_an_export_matches_its_checkpoint(classifier_weights: Path, tmp_path: Path) -> None:
    model = load_checkpoint(classifier_weights).model
    path = export_onnx(model, tmp_path / "c.onnx")
    parity = check_parity(model, str(path))
    assert parity.inputs == 6 and parity.ok(1e-4), parity
