"""The alarm heatmap: Dist-CAM of a crop against the nearer mask, with the active engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from models.zoo import create_model
from models.zoo.checkpoint import save_checkpoint
from service.inference import CropClassifier, MaskEmbeddingCache, OnnxEngine, UnknownLift
from service.inference.engines import TorchEngine
from service.inference.heatmap import CropHeatmapper, HeatmapUnavailable
from tests.service.inference.fakes import FakeEngine, as_crop, half_masks

SIZE = 64


def heatmapper(engine: FakeEngine | None = None) -> CropHeatmapper:
    engine = engine or FakeEngine()
    masks = MaskEmbeddingCache(engine)
    masks.set_masks("lift-1", *half_masks(SIZE))
    return CropHeatmapper(CropClassifier(engine, masks))


def test_the_heatmap_lies_on_the_evidence_of_the_nearer_mask() -> None:
    open_mask, closed_mask = half_masks(SIZE)
    maker = heatmapper()
    heat, state = maker.heatmap("lift-1", as_crop(open_mask))
    assert state == 1 and heat.shape == (SIZE, SIZE)
    assert heat[:, : SIZE // 2].mean() > 0.9 and heat[:, SIZE // 2 :].mean() < 0.1
    heat, state = maker.heatmap("lift-1", as_crop(closed_mask))
    assert state == 0 and heat[:, SIZE // 2 :].mean() > 0.9 and heat[:, : SIZE // 2].mean() < 0.1
    picture = maker("lift-1", as_crop(open_mask))
    assert picture.shape == (SIZE, SIZE, 3) and picture.dtype == np.uint8


def test_what_cannot_be_explained_says_why() -> None:
    class Plain(FakeEngine):
        embed_with_features = None  # type: ignore[assignment]

    open_mask, _ = half_masks(SIZE)
    with pytest.raises(HeatmapUnavailable, match="feature maps"):
        heatmapper(Plain()).heatmap("lift-1", as_crop(open_mask))
    with pytest.raises(UnknownLift):
        heatmapper().heatmap("lift-9", as_crop(open_mask))
    with pytest.raises(ValueError, match="BGR uint8"):
        heatmapper().heatmap("lift-1", open_mask)


def test_the_shipped_onnx_engine_gives_its_feature_map(shipped: OnnxEngine) -> None:
    batch = np.random.default_rng(0).standard_normal((2, 3, 200, 200)).astype(np.float32)
    embeddings, feats = shipped.embed_with_features(batch)
    assert feats.shape == (2, 256, 7, 7) and feats.dtype == np.float32
    assert np.abs(embeddings - shipped.embed(batch)).max() <= 1e-5


def test_the_torch_engine_gives_its_feature_map(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = create_model("siamese-fast", input_size=(48, 48), width=0.5).eval()
    engine = TorchEngine(save_checkpoint(model, tmp_path / "m.pt"), device="cpu")
    batch = np.random.default_rng(1).standard_normal((2, 3, 48, 48)).astype(np.float32)
    embeddings, feats = engine.embed_with_features(batch)
    with torch.no_grad():
        expected = model.features(torch.from_numpy(batch)).numpy()
    assert np.abs(feats - expected).max() <= 1e-5
    assert np.abs(embeddings - engine.embed(batch)).max() <= 1e-5
