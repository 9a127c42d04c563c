"""Difficulty calibration: how well a plain CNN classifier does on the world at each difficulty.

The world must be hard enough that a plain classifier trained on 100 images per lift lands in
the paper's regime (about 85 to 92 % test accuracy, Table 2's classifier has 87.76 %), so that
the differences between the models mean something. ``calibrate`` trains the same plain CNN
at several difficulties and reports test accuracy; the default difficulty is chosen from it.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from models.synthetic.dataset import ArraySplit, DatasetSpec, generate_split
from models.synthetic.samples import DEFAULT_DIFFICULTY

Progress = Callable[[str, int, int], None]  # (stage, done, total); stage: the difficulty


class PlainCNN(nn.Module):
    """The classifier an engineer would try first: four strided conv blocks, pooling, linear."""

    def __init__(self, classes: int = 2) -> None:
        super().__init__()
        chans = [3, 16, 32, 64, 128]
        blocks: list[nn.Module] = []
        for i, (c_in, c_out) in enumerate(itertools.pairwise(chans)):
            k = 5 if i == 0 else 3
            blocks += [
                nn.Conv2d(c_in, c_out, k, 2, k // 2, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
            ]
        self.features = nn.Sequential(*blocks)
        self.head = nn.Linear(chans[-1], classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).mean(dim=(2, 3)))


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """BGR uint8 (N, H, W, 3) to float (N, 3, H, W) in [-1, 1], RGB order."""
    x = torch.from_numpy(np.ascontiguousarray(images[..., ::-1]))
    return x.permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)


@torch.no_grad()
def predict(model: nn.Module, images: np.ndarray, batch: int = 128) -> np.ndarray:
    model.eval()
    out = [
        model(to_tensor(images[i : i + batch])).argmax(1).numpy()
        for i in range(0, len(images), batch)
    ]
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def per_lift_accuracy(pred: np.ndarray, split: ArraySplit) -> dict[int, float]:
    return {
        int(k): float((pred[split.lifts == k] == split.labels[split.lifts == k]).mean())
        for k in np.unique(split.lifts)
    }


def train_plain_cnn(
    train: ArraySplit,
    val: ArraySplit,
    seed: int = 0,
    max_epochs: int = 60,
    patience: int = 10,
    batch: int = 32,
    lr: float = 1e-3,
    progress: Progress | None = None,
) -> tuple[PlainCNN, list[dict[str, float]]]:
    """Adam with cosine decay, cross-entropy, early stopping on validation accuracy.

    Returns the model of the best validation epoch and the per-epoch history.
    """
    torch.manual_seed(seed)
    model = PlainCNN()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max_epochs)
    loss_fn = nn.CrossEntropyLoss()
    x_all, y_all = to_tensor(train.images), torch.from_numpy(train.labels)
    gen = torch.Generator().manual_seed(seed)
    best, best_state, since, history = -1.0, model.state_dict(), 0, []
    for epoch in range(max_epochs):
        model.train()
        order = torch.randperm(len(y_all), generator=gen)
        total = 0.0
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            opt.zero_grad()
            loss = loss_fn(model(x_all[idx]), y_all[idx])
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        schedule.step()
        val_acc = float((predict(model, val.images) == val.labels).mean())
        history.append({"epoch": epoch + 1, "loss": total / len(y_all), "val_acc": val_acc})
        if progress is not None:
            progress("train", epoch + 1, max_epochs)
        if val_acc > best:
            best, since = val_acc, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            since += 1
            if since >= patience:
                break
    model.load_state_dict(best_state)
    return model, history


@dataclass(frozen=True)
class CalibrationPoint:
    difficulty: float
    test_accuracy: float  # over all test images, as Table 2 computes its "Average" row
    mean_lift_accuracy: float  # plain mean of the per-lift accuracies
    per_lift: dict[int, float]
    epochs: int
    train_seconds: float
    history: list[dict[str, float]]


def calibration_point(
    spec: DatasetSpec, workers: int = 2, seed: int = 0, progress: Progress | None = None
) -> CalibrationPoint:
    splits = {s: generate_split(spec, s, workers=workers) for s in ("train", "val", "test")}
    start = time.perf_counter()

    def step(_stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(str(spec.difficulty), done, total)

    model, history = train_plain_cnn(splits["train"], splits["val"], seed=seed, progress=step)
    seconds = time.perf_counter() - start
    test = splits["test"]
    pred = predict(model, test.images)
    per_lift = per_lift_accuracy(pred, test)
    return CalibrationPoint(
        difficulty=spec.difficulty,
        test_accuracy=float((pred == test.labels).mean()),
        mean_lift_accuracy=float(np.mean(list(per_lift.values()))),
        per_lift=per_lift,
        epochs=len(history),
        train_seconds=seconds,
        history=history,
    )


def calibrate(
    difficulties: list[float],
    base: DatasetSpec,
    out: Path,
    workers: int = 2,
    progress: Progress | None = None,
    on_point: Callable[[CalibrationPoint], None] | None = None,
) -> list[CalibrationPoint]:
    """Run every difficulty, write ``out``/calibration.json and ``out``/calibration.png."""
    torch.set_num_threads(max(1, workers))
    points = []
    for d in difficulties:
        points.append(calibration_point(replace(base, difficulty=d), workers, progress=progress))
        _save(points, base, out)
        if on_point is not None:
            on_point(points[-1])
    return points


def _save(points: list[CalibrationPoint], base: DatasetSpec, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    doc = {
        "dataset": {**asdict(base), "difficulty": "see each point"},
        "classifier": "PlainCNN (4 strided conv blocks, GAP, linear)",
        "points": [asdict(p) for p in points],
    }
    (out / "calibration.json").write_text(json.dumps(doc, indent=2))
    plot_calibration(out / "calibration.json", out / "calibration.png")


def plot_calibration(results: Path, figure: Path) -> None:
    """Draw test accuracy against difficulty from a calibration.json."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = json.loads(results.read_text())["points"]
    xs = [p["difficulty"] for p in points]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    ax.axhspan(85, 92, color="tab:green", alpha=0.15, label="paper's regime (85-92 %)")
    ax.axhline(87.76, color="tab:green", ls="--", lw=1, label="paper's classifier, 87.76 %")
    ax.plot(
        xs, [100 * p["test_accuracy"] for p in points], "s-", label="plain CNN, all test images"
    )
    means = [100 * p["mean_lift_accuracy"] for p in points]
    ax.plot(xs, means, "o:", label="plain CNN, mean of lifts")
    ax.axvline(DEFAULT_DIFFICULTY, color="grey", lw=1, label=f"default ({DEFAULT_DIFFICULTY:g})")
    ax.set_xlabel("difficulty")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Synthetic world calibration (100 train images per lift)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(figure)
    plt.close(fig)
