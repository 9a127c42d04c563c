"""The hashing task: segmentations in the images' order, the paper's losses, a tiny fit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from models.synthetic.segmentation import load_segmentations, resize_segmentations
from models.synthetic.store import load_split
from models.train.config import TrainConfig
from models.train.data import from_directory
from models.train.fit import fit
from models.train.hashing_task import HashingTask, HashingTaskError
from models.train.tasks import make_task
from models.zoo import create_model
from models.zoo.hashing import HashingModel
from tests.models.train.hashing_data import PER_SPLIT, write_tiny_dataset


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_dataset(tmp_path_factory.mktemp("hashdata"))


def psp(size: int = 32) -> HashingModel:
    torch.manual_seed(0)
    model = create_model("hashing-psp", input_size=size, num_classes=4)
    assert isinstance(model, HashingModel)
    return model


def test_segmentations_line_up_with_the_images(data_dir: Path) -> None:
    images = load_split(data_dir, "train", [2])
    segs = load_segmentations(data_dir, "train", [2])
    assert len(segs) == len(images) == PER_SPLIT
    assert segs.lifts.tolist() == images.lifts.tolist()
    assert segs.maps[:, 100, 100].tolist() == [(i + 2) % 4 for i in range(PER_SPLIT)]
    small = resize_segmentations(segs.maps, (20, 24))
    assert small.shape == (PER_SPLIT, 20, 24) and set(np.unique(small)) <= {0, 1, 2, 3}


def test_psp_batches_carry_segmentations_and_both_losses_train(data_dir: Path) -> None:
    data = from_directory(data_dir)
    model = psp()
    task = make_task(
        model, data.split("train"), data.masks, 3, 0, torch.device("cpu"), source=data.source
    )
    assert isinstance(task, HashingTask) and task.num_batches() == 3
    images, segs, labels = next(iter(task.batches(0)))
    assert images.shape == (3, 3, 32, 32) and segs.shape == (3, 32, 32)
    assert set(labels.tolist()) <= {0, 1, 2, 3}
    loss = task.loss((images, segs, labels))
    loss.backward()
    assert torch.isfinite(loss)
    assert model.seg_head is not None
    assert all(p.grad is not None for p in model.seg_head.parameters())
    assert all(p.grad is not None for p in model.head.parameters())
    assert 0.0 <= task.accuracy(data.split("val")) <= 1.0


@pytest.mark.parametrize("source", ["synthetic:small", None])
def test_psp_needs_a_data_directory(data_dir: Path, source: str | None) -> None:
    train = load_split(data_dir, "train")
    with pytest.raises(HashingTaskError, match="data set directory"):
        make_task(psp(), train, {}, 4, 0, torch.device("cpu"), source=source)


def test_too_few_classes_for_the_lifts_is_clear(data_dir: Path) -> None:
    data = from_directory(data_dir)
    model = create_model("hashing-dlbhc", input_size=32, num_classes=2)
    with pytest.raises(HashingTaskError, match=r"lifts 1\.\.1"):
        make_task(model, data.split("train"), data.masks, 4, 0, torch.device("cpu"))


@pytest.mark.slow
def test_a_tiny_fit_writes_checkpoints(data_dir: Path, tmp_path: Path) -> None:
    config = TrainConfig(
        input_size=32,
        epochs=1,
        batch_size=4,
        threads=1,
        device="cpu",
        optimizer="adam",
        augment=False,
        bn_batches=1,
        model_kwargs={"num_classes": 4},
    )
    result = fit("hashing-psp", from_directory(data_dir), config, tmp_path)
    assert result.best_path.is_file() and result.last_epoch == 1
    assert 0.0 <= result.best_val_accuracy <= 1.0
