"""Untrained but saved models: evaluation needs weights, not good ones."""

from pathlib import Path

import pytest
import torch

from models.zoo import create_model
from models.zoo.checkpoint import save_checkpoint
from tests.models.train.helpers import SIZE


def saved(name: str, out: Path, train_lifts: list[int], **kw: object) -> Path:
    torch.manual_seed(0)
    model = create_model(name, input_size=(SIZE, SIZE), **kw)
    return save_checkpoint(model, out / f"{name}.pt", {"epoch": 3, "train_lifts": train_lifts})


@pytest.fixture(scope="session")
def fast_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return saved("siamese-fast", tmp_path_factory.mktemp("w"), [1, 2])


@pytest.fixture(scope="session")
def paper_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return saved("siamese-paper", tmp_path_factory.mktemp("w"), [2])


@pytest.fixture(scope="session")
def classifier_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return saved("classifier-paper", tmp_path_factory.mktemp("w"), [1, 2])
