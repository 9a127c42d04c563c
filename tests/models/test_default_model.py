"""The shipped default model, re-evaluated on images it has never seen.

The images come from a data set seed the training never used (the same 20-lift world: the
default model is for the lifts whose masks the service holds), a small share of the Table 1 test
split so that CI stays fast. The bound sits below the accuracy measured on the full test split
(docs/ACCURACY.md) by the sampling error of a few hundred images.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from models.default import DEFAULT_MODEL_NAME, default_model_path
from models.evaluate.predict import OnnxPredictor, predict_split
from models.train.data import load_data
from models.zoo.export import OnnxModel, sidecar_path

FRESH = "synthetic:small:seed=20261124,test_scale=0.03"
MIN_ACCURACY = 0.97


@pytest.fixture(scope="module")
def shipped() -> OnnxModel:
    return OnnxModel(default_model_path(), providers=["CPUExecutionProvider"])


def test_shipped_files_carry_their_config(shipped: OnnxModel) -> None:
    path = default_model_path()
    assert path.stat().st_size < 5_000_000
    assert json.loads(sidecar_path(path).read_text())["model"] == DEFAULT_MODEL_NAME
    assert shipped.config.model == DEFAULT_MODEL_NAME and shipped.kind == "siamese"


@pytest.mark.slow
def test_shipped_model_accuracy_on_a_fresh_seed(shipped: OnnxModel) -> None:
    data = load_data(FRESH, workers=2)
    test = data.split("test")
    assert len(np.unique(test.lifts)) == 20 and len(test) > 300
    predictions = predict_split(OnnxPredictor(shipped), test, data.masks)
    assert predictions.accuracy >= MIN_ACCURACY, f"accuracy {predictions.accuracy:.4f}"
