import json
from pathlib import Path

import numpy as np
import torch

from models.synthetic.calibrate import PlainCNN, plot_calibration, predict, train_plain_cnn
from models.synthetic.dataset import ArraySplit


def _split(n: int, seed: int) -> ArraySplit:
    """A toy split a CNN can learn: bright square top-left means open."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 60, (n, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 2, n)
    images[labels == 1, 2:12, 2:12] = 250
    return ArraySplit(
        images, labels.astype(np.int64), np.ones(n, np.int64), np.zeros(n, np.float32)
    )


def test_plain_cnn_gives_two_logits_per_image() -> None:
    out = PlainCNN()(torch.zeros(3, 3, 64, 64))
    assert out.shape == (3, 2)


def test_training_learns_a_toy_task_and_keeps_the_best_epoch() -> None:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # deterministic, and fair to the other tests
    try:
        model, history = train_plain_cnn(_split(256, 0), _split(64, 1), max_epochs=8, patience=8)
    finally:
        torch.set_num_threads(threads)
    assert 1 <= len(history) <= 8
    best = max(h["val_acc"] for h in history)
    val = _split(64, 1)
    assert float((predict(model, val.images) == val.labels).mean()) == best
    assert best > 0.8


def test_plot_calibration_draws_a_figure(tmp_path: Path) -> None:
    doc = {"points": [{"difficulty": d, "test_accuracy": a, "mean_lift_accuracy": a}
                      for d, a in ((0.0, 0.9), (0.5, 0.85), (1.0, 0.8))]}  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps(doc))
    plot_calibration(tmp_path / "c.json", tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 5_000
