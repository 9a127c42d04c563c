"""The ``liftwatch`` command lines of a job's steps (each runs in its own process)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.jobs.types import JobRecord

CommandBuilder = Callable[[JobRecord, Path], list[list[str]]]
"""``(job, out_dir)`` → the argv of each step."""
TRAIN_OPTIONS = (
    "epochs",
    "batch_size",
    "input_size",
    "lr",
    "optimizer",
    "patience",
    "seed",
    "train_lifts",
    "val_lifts",
    "max_minutes",
    "ema",
    "loss",
    "margin",
    "warmup_epochs",
    "hard_band",
)
EVALUATE_OPTIONS = ("split", "lifts")
PAIRING_OPTIONS = (
    "model",
    "sister",
    "epochs",
    "batch_size",
    "lr",
    "lr_schedule",
    "stn_lr_scale",
    "stn_init_scale",
    "stn_localiser",
    "stn_s_max",
    "seed",
    "noise",
    "noise_warmup",
    "elastic",
    "warmup",
    "stn_epochs",
    "joint_epochs",
    "crop",
    "keep",
    "average_epochs",
    "threads",
    "stn_from",  # resolved by the API from ``stn_from_job``: a finished job's weights
)
EXPORT_FILE = "model.onnx"
PAIRING_WEIGHTS = "model.pt"
"""What ``liftwatch pairing train`` writes in its ``--out`` (``models.pairing.train.WEIGHTS``)."""
CROPS_FILE = "crops.png"


def liftwatch() -> list[str]:
    """How to run the CLI: this interpreter, so the job sees the same environment."""
    return [sys.executable, "-m", "service.cli"]


def _options(params: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    argv: list[str] = []
    for name in names:
        value = params.get(name)
        if value is not None:
            argv += [f"--{name.replace('_', '-')}", str(value)]
    return argv


def _model_args(params: dict[str, Any]) -> list[str]:
    argv: list[str] = []
    for key, value in (params.get("model_args") or {}).items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        argv += ["--model-arg", f"{key}={text}"]
    return argv


def pairing_commands(job: JobRecord, out: Path) -> list[list[str]]:
    """``liftwatch pairing train`` into ``out``; for getnet then ``liftwatch pairing crops``,
    the picture of its STN crops, to ``out/crops.png``."""
    p = job.params
    train = [*liftwatch(), "pairing", "train", "--out", str(out), *_options(p, PAIRING_OPTIONS)]
    train += [f"--{flag.replace('_', '-')}" for flag in ("distort", "freeze_stn") if p.get(flag)]
    if p.get("model") != "getnet":
        return [train]
    weights = str(out / PAIRING_WEIGHTS)
    crops = [*liftwatch(), "pairing", "crops", "--weights", weights, "--out", str(out / CROPS_FILE)]
    return [train, crops]


def liftwatch_commands(job: JobRecord, out: Path) -> list[list[str]]:
    """train: ``liftwatch train`` then ``liftwatch export`` of its best weights to
    ``out/model.onnx``; evaluate: ``liftwatch evaluate`` writing its tables to ``out``;
    pairing: :func:`pairing_commands`."""
    if job.kind == "pairing":
        return pairing_commands(job, out)
    p = job.params
    common = ["--data", str(p["data"]), "--out", str(out), "--workers", str(p.get("workers", 1))]
    if job.kind == "train":
        train = [*liftwatch(), "train", job.model, *common, *_options(p, TRAIN_OPTIONS)]
        train += _model_args(p)
        if p.get("threads"):
            train += ["--threads", str(p["threads"])]
        if not p.get("augment", True):
            train.append("--no-augment")
        if p.get("augment_lifts"):
            train.append("--augment-lifts")
        if p.get("hard_mining"):
            train.append("--hard-mining")
        if p.get("balanced_mining"):
            train.append("--balanced-mining")
        export = [*liftwatch(), "export", job.model, "--weights", str(out / "best.pt")]
        return [train, [*export, "--out", str(out / EXPORT_FILE)]]
    evaluate = [*liftwatch(), "evaluate", job.model, "--weights", str(p["weights_path"])]
    evaluate += [*common, *_options(p, EVALUATE_OPTIONS)]
    if p.get("unseen"):
        evaluate.append("--unseen")
    return [evaluate]
