import json
from pathlib import Path

import numpy as np
import pytest

from models.evaluate.plots import project_2d
from models.evaluate.predict import Predictions, TorchPredictor, predict_split
from models.evaluate.run import evaluate, load_model
from models.train.presets import DataSpecError
from models.zoo.checkpoint import load_checkpoint
from models.zoo.errors import CheckpointError
from models.zoo.export import export_onnx
from tests.models.train.helpers import held_out, tiny_data

PNG = b"\x89PNG"


def test_siamese_evaluation_writes_every_output(fast_weights: Path, tmp_path: Path) -> None:
    data = tiny_data()
    result = evaluate("siamese-fast", fast_weights, data, tmp_path)
    test = data.split("test")
    assert [r.lift for r in result.table.lift_rows] == [1, 2]
    assert sum(r.images for r in result.table.lift_rows) == len(test)
    assert int(result.confusion.sum()) == len(test) and result.warnings == []
    for name in ("accuracy.md", "accuracy.json", "accuracy.csv", "confusion.json"):
        assert (tmp_path / name).stat().st_size > 0
    for name in ("confusion.png", "embedding_lifts.png", "embedding_masks.png"):
        assert (tmp_path / name).read_bytes()[:4] == PNG
    doc = json.loads((tmp_path / "accuracy.json").read_text())
    assert doc["protocol"] == "standard" and doc["lifts"] == [1, 2] and len(doc["rows"]) == 4
    assert doc["paper_source"] is None  # the paper has no siamese-fast
    confusion = json.loads((tmp_path / "confusion.json").read_text())
    assert set(confusion["per_lift"]) == {"1", "2"}
    assert sum(sum(r.values()) for r in confusion["overall"].values()) == len(test)


def test_classifier_gets_the_paper_column_and_no_scatter(
    classifier_weights: Path, tmp_path: Path
) -> None:
    result = evaluate("classifier-paper", classifier_weights, tiny_data(), tmp_path)
    assert result.table.paper_source == "Table 2"
    assert [r.paper for r in result.table.lift_rows] == [94.11, 92.55]
    assert (tmp_path / "confusion.png").is_file()
    assert not (tmp_path / "embedding_lifts.png").exists()


def test_unseen_protocol_evaluates_only_unseen_lifts(paper_weights: Path, tmp_path: Path) -> None:
    data = held_out(tiny_data(), seen=(2,), unseen=(1,))
    result = evaluate("siamese-paper", paper_weights, data, tmp_path, unseen=True)
    assert result.lifts == (1,) and [r.lift for r in result.table.lift_rows] == [1]
    assert result.protocol.startswith("unseen") and result.warnings == []
    assert result.table.paper_source is None  # the paper has no unseen-lift numbers
    doc = json.loads((tmp_path / "accuracy.json").read_text())
    assert doc["lifts"] == [1] and doc["trained_on"] == [2]
    # the 2-D embedding of the paper's network is plotted as is
    assert (tmp_path / "embedding_masks.png").read_bytes()[:4] == PNG
    with pytest.raises(DataSpecError, match="no held-out lifts"):
        evaluate("siamese-paper", paper_weights, tiny_data(), tmp_path, unseen=True)


def test_unseen_protocol_warns_about_lifts_seen_in_training(
    fast_weights: Path, tmp_path: Path
) -> None:
    data = held_out(tiny_data(), seen=(2,), unseen=(1,))
    result = evaluate("siamese-fast", fast_weights, data, tmp_path, unseen=True)
    assert result.warnings and "trained on lifts [1]" in result.warnings[0]


def test_onnx_weights_evaluate_like_the_checkpoint(fast_weights: Path, tmp_path: Path) -> None:
    model = load_checkpoint(fast_weights).model
    onnx_path = export_onnx(model, tmp_path / "fast.onnx")
    a = evaluate("siamese-fast", fast_weights, tiny_data(), tmp_path / "torch")
    b = evaluate("siamese-fast", onnx_path, tiny_data(), tmp_path / "onnx")
    assert [r.accuracy for r in a.table.rows] == [r.accuracy for r in b.table.rows]


def test_wrong_or_broken_weights(fast_weights: Path, tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="holds a 'siamese-fast' model, not 'vgg16'"):
        load_model("vgg16", fast_weights)
    junk = tmp_path / "junk.pt"
    junk.write_text("not weights")
    with pytest.raises(CheckpointError, match="not a liftwatch checkpoint"):
        load_model("siamese-fast", junk)
    with pytest.raises(CheckpointError, match="does not exist"):
        load_model("siamese-fast", tmp_path / "missing.pt")


def test_pca_projection_for_wide_embeddings(fast_weights: Path) -> None:
    model = load_checkpoint(fast_weights).model
    data = tiny_data()
    pred = predict_split(TorchPredictor(model), data.split("test"), data.masks)
    assert pred.embeddings is not None and pred.embeddings.shape[1] == 64
    images, masks, what = project_2d(pred)
    assert images.shape == (len(pred.labels), 2) and masks[1].shape == (2, 2)
    assert what.startswith("PCA of the 64-D embeddings")
    flat = Predictions(
        pred.labels,
        pred.predicted,
        pred.lifts,
        pred.score,
        embeddings=np.zeros((len(pred.labels), 2)),
        mask_embeddings={1: (np.ones(2), -np.ones(2))},
    )
    images, masks, what = project_2d(flat)
    assert what == "2-D embedding space" and masks[1].tolist() == [[1, 1], [-1, -1]]
