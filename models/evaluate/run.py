"""``evaluate``: a trained model (checkpoint or ONNX file) on a split, every output written.

``out_dir`` receives ``accuracy.md``/``.json``/``.csv`` (the per-lift table), ``confusion.json``
(overall and per lift) and ``confusion.png``, and for siamese models ``embedding_lifts.png``
(Figure 4) and ``embedding_masks.png`` (Figure 5).

The unseen-lift protocol (``unseen=True``) evaluates only the data's held-out lifts (the
manifest's ``leave_lifts_out.unseen``), each decided with nothing of it but its two masks; the
model should have been trained with ``--train-lifts seen``, which its checkpoint records.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from models.evaluate.metrics import confusion_dict, per_lift
from models.evaluate.plots import plot_confusion, plot_lift_embeddings, plot_mask_embeddings
from models.evaluate.predict import (
    OnnxPredictor,
    Predictions,
    Predictor,
    Progress,
    TorchPredictor,
    predict_split,
)
from models.evaluate.tables import AccuracyTable, accuracy_table
from models.train.data import LiftData
from models.train.presets import DataSpecError
from models.zoo.checkpoint import Checkpoint, load_checkpoint
from models.zoo.errors import CheckpointError
from models.zoo.export import OnnxModel
from models.zoo.preprocess import PreprocessConfig

log = logging.getLogger(__name__)
ZIP_MAGIC = b"PK\x03\x04"  # torch.save writes zip archives


class EvaluationError(ValueError):
    """An evaluation that cannot run; the message says why."""


@dataclass(frozen=True)
class LoadedModel:
    """A predictor and what its file says about its training (empty for ONNX files)."""

    predictor: Predictor
    extra: dict[str, Any]
    kind: str


def load_torch(model_name: str, weights: Path) -> Checkpoint:
    """The zoo checkpoint ``weights`` of ``model_name`` (``CheckpointError`` in one line)."""
    if weights.is_file():
        with weights.open("rb") as f:
            if f.read(4) != ZIP_MAGIC:
                raise CheckpointError(f"{weights} is not a liftwatch checkpoint (not a torch file)")
    return load_checkpoint(weights, expected_model=model_name)


def load_model(model_name: str, weights: Path, device: str = "cpu") -> LoadedModel:
    """A zoo checkpoint, or an ``.onnx`` export, that must hold ``model_name``."""
    if weights.suffix == ".onnx":
        onnx_model = OnnxModel(weights)
        if onnx_model.config.model != model_name:
            raise CheckpointError(
                f"{weights} holds a {onnx_model.config.model!r} model, not {model_name!r}"
            )
        _check_bar_model(onnx_model.config, weights)
        return LoadedModel(OnnxPredictor(onnx_model), {}, onnx_model.kind)
    checkpoint = load_torch(model_name, weights)
    _check_bar_model(checkpoint.config, weights)
    model = checkpoint.model.to(torch.device(device))
    return LoadedModel(TorchPredictor(model, device), checkpoint.extra, checkpoint.config.kind)


def _check_bar_model(config: PreprocessConfig, weights: Path) -> None:
    """Refuse classifiers of other classes than the bar states (the hashing models)."""
    if config.kind == "classifier" and config.num_classes != 2:
        raise EvaluationError(
            f"{weights} holds {config.model!r}, a classifier of {config.num_classes} classes "
            "(lift × bar state), not of the 2 bar states: evaluate it with 'liftwatch retrieval'"
        )


@dataclass(frozen=True)
class EvaluationResult:
    table: AccuracyTable
    confusion: np.ndarray
    lifts: tuple[int, ...]
    protocol: str
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def evaluation_lifts(
    data: LiftData, lifts: tuple[int, ...] | None, unseen: bool
) -> tuple[int, ...]:
    """The lifts to evaluate: ``lifts`` (default all), only the held-out ones if ``unseen``."""
    chosen = lifts if lifts is not None else data.lifts
    if unseen:
        if not data.unseen:
            raise DataSpecError(f"--unseen: {data.source} holds no held-out lifts (it needs > 5)")
        chosen = tuple(k for k in chosen if k in data.unseen)
        if not chosen:
            raise DataSpecError(f"--unseen: none of the chosen lifts is held out ({data.unseen})")
    return tuple(chosen)


def _protocol_warnings(extra: dict[str, Any], lifts: tuple[int, ...], unseen: bool) -> list[str]:
    if not unseen:
        return []
    trained = extra.get("train_lifts")
    if trained is None:
        return ["the weights do not record their training lifts: cannot check they are unseen"]
    overlap = sorted(set(lifts) & {int(k) for k in trained})
    if overlap:
        return [
            f"the model was trained on lifts {overlap}: they are not unseen "
            "(train with --train-lifts seen)"
        ]
    return []


def evaluate(
    model_name: str,
    weights: Path,
    data: LiftData,
    out_dir: Path,
    split: str = "test",
    unseen: bool = False,
    lifts: tuple[int, ...] | None = None,
    paper: bool = True,
    device: str = "cpu",
    progress: Progress | None = None,
    loaded: LoadedModel | None = None,
) -> EvaluationResult:
    """Evaluate ``weights`` on ``split`` of ``data`` and write every output to ``out_dir``.

    ``loaded``: the model already loaded from ``weights`` (``load_model``), to check the weights
    before generating any data.
    """
    loaded = loaded or load_model(model_name, weights, device)
    chosen = evaluation_lifts(data, lifts, unseen)
    subset = data.restrict(chosen)
    images = subset.split(split)
    if len(images) == 0:
        raise EvaluationError(f"the {split} split of lifts {chosen} holds no image")
    pred = predict_split(loaded.predictor, images, subset.masks, progress=progress)
    scores = per_lift(pred)
    protocol = "unseen lifts (masks only)" if unseen else "standard"
    title = f"{split.capitalize()} accuracy (%) of {model_name} per lift ({protocol} protocol)"
    use_paper = paper and not unseen and split == "test"
    table = accuracy_table(model_name, scores, title, data.variant, use_paper)
    confusion = sum((s.confusion for s in scores), np.zeros((2, 2), np.int64))
    result = EvaluationResult(
        table,
        confusion,
        chosen,
        protocol,
        warnings=_protocol_warnings(loaded.extra, chosen, unseen),
    )
    files = write_outputs(
        result,
        pred,
        out_dir,
        model_name,
        {
            "weights": str(weights),
            "data": data.source,
            "variant": data.variant,
            "split": split,
            "protocol": protocol,
            "lifts": list(chosen),
            "trained_on": loaded.extra.get("train_lifts"),
            "epoch": loaded.extra.get("epoch"),
            "warnings": result.warnings,
        },
    )
    result.files.update(files)
    return result


def write_outputs(
    result: EvaluationResult,
    pred: Predictions,
    out_dir: Path,
    model_name: str,
    meta: dict[str, Any],
) -> dict[str, Path]:
    """The tables, the confusion matrices and (siamese) the embedding figures."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = result.table
    files = {
        "markdown": out_dir / "accuracy.md",
        "json": out_dir / "accuracy.json",
        "csv": out_dir / "accuracy.csv",
        "confusion_json": out_dir / "confusion.json",
    }
    files["markdown"].write_text(table.to_markdown())
    files["json"].write_text(json.dumps(meta | table.to_dict(), indent=2) + "\n")
    files["csv"].write_text(table.to_csv())
    confusion = {
        "rows": "true state",
        "columns": "predicted state",
        "overall": confusion_dict(result.confusion),
        "per_lift": {str(s.lift): confusion_dict(s.confusion) for s in per_lift(pred)},
    }
    files["confusion_json"].write_text(json.dumps(confusion, indent=2) + "\n")
    subtitle = f"{model_name}, {meta['split']} split, {result.protocol} protocol"
    accuracy = f"overall {table.overall:.2f} %"
    files["confusion_png"] = plot_confusion(
        result.confusion, out_dir / "confusion.png", f"{subtitle}\n{accuracy}"
    )
    if pred.embeddings is not None:
        files["embedding_lifts"] = plot_lift_embeddings(
            pred, out_dir / "embedding_lifts.png", f"Images and masks per lift: {subtitle}"
        )
        files["embedding_masks"] = plot_mask_embeddings(
            pred, out_dir / "embedding_masks.png", f"Masks of every lift: {subtitle}"
        )
    log.info("wrote %s", ", ".join(str(p) for p in files.values()))
    return files
