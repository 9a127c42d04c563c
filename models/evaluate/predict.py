"""Predictions of a model (torch or ONNX) on a split: siamese by the masks, classifiers by argmax.

A siamese model embeds every image and its lift's two masks; the image takes the state of the
nearer mask (eq. 3, ``models.zoo.decision.decide``). A classifier takes the argmax of its logits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from models.synthetic.dataset import ArraySplit
from models.zoo.base import ZooModel
from models.zoo.decision import classify, decide
from models.zoo.export import OnnxModel
from models.zoo.preprocess import PreprocessConfig

Masks = Mapping[int, tuple[np.ndarray, np.ndarray]]  # lift → (open, closed), uint8 0/255
Progress = Callable[[int, int], None]


class Predictor(Protocol):
    """A model behind one call: preprocessed batch → embeddings (siamese) or logits."""

    config: PreprocessConfig

    def __call__(self, batch: torch.Tensor) -> np.ndarray: ...


class TorchPredictor:
    """A zoo model in eval mode on ``device``; the model's train/eval mode is restored after."""

    def __init__(self, model: ZooModel, device: torch.device | str = "cpu") -> None:
        self.model = model
        self.config = model.preprocess_config
        self.device = torch.device(device)

    @torch.no_grad()
    def __call__(self, batch: torch.Tensor) -> np.ndarray:
        was_training = self.model.training
        self.model.eval()
        try:
            out = self.model(batch.to(self.device))
        finally:
            self.model.train(was_training)
        return np.asarray(out.float().cpu().numpy())


class OnnxPredictor:
    """An exported model run by ONNX Runtime."""

    def __init__(self, model: OnnxModel) -> None:
        self.model = model
        self.config = model.config

    def __call__(self, batch: torch.Tensor) -> np.ndarray:
        return self.model.run(batch)


@dataclass(frozen=True)
class Predictions:
    """Per image: true ``labels``, ``predicted`` (0 closed, 1 open), ``lifts`` and a signed
    ``score`` (> 0 leaning open). Siamese models add ``embeddings`` (N, D) and
    ``mask_embeddings`` {lift: (open (D,), closed (D,))}."""

    labels: np.ndarray
    predicted: np.ndarray
    lifts: np.ndarray
    score: np.ndarray
    embeddings: np.ndarray | None = None
    mask_embeddings: dict[int, tuple[np.ndarray, np.ndarray]] | None = None

    @property
    def accuracy(self) -> float:
        return float((self.labels == self.predicted).mean()) if len(self.labels) else 0.0


def run_batches(
    predictor: Predictor,
    images: np.ndarray,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> np.ndarray:
    """The predictor's outputs for BGR uint8 images (N, H, W, 3), preprocessed per batch."""
    parts = []
    for start in range(0, len(images), batch_size):
        parts.append(predictor(predictor.config.preprocess(images[start : start + batch_size])))
        if progress is not None:
            progress(min(start + batch_size, len(images)), len(images))
    width = predictor.config.embedding_size or predictor.config.num_classes or 0
    return np.concatenate(parts) if parts else np.zeros((0, width), np.float32)


def embed_masks(predictor: Predictor, masks: Masks) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """{lift: (open embedding, closed embedding)}, all masks in one batch."""
    lifts = sorted(masks)
    if not lifts:
        return {}
    stacked = np.stack([m for k in lifts for m in masks[k]])  # open, closed per lift
    out = predictor(predictor.config.mask_to_input(stacked))
    return {k: (out[2 * i], out[2 * i + 1]) for i, k in enumerate(lifts)}


def predict_split(
    predictor: Predictor,
    split: ArraySplit,
    masks: Masks | None = None,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> Predictions:
    """Predict every image of ``split``; siamese models need the ``masks`` of its lifts."""
    out = run_batches(predictor, split.images, batch_size, progress)
    if predictor.config.kind == "classifier":
        state, probs = classify(out)
        score = probs[:, 1].numpy() - 0.5 if len(out) else np.zeros(0, np.float32)
        return Predictions(split.labels, state.numpy(), split.lifts, score)
    if masks is None:
        raise ValueError("a siamese model needs the masks of the lifts to decide")
    missing = sorted(set(np.unique(split.lifts).tolist()) - set(masks))
    if missing:
        raise ValueError(f"no masks for lifts {missing}")
    mask_emb = embed_masks(predictor, {k: masks[k] for k in np.unique(split.lifts).tolist()})
    open_rows = np.stack([mask_emb[int(k)][0] for k in split.lifts]) if len(out) else out
    closed_rows = np.stack([mask_emb[int(k)][1] for k in split.lifts]) if len(out) else out
    decision = decide(out, open_rows, closed_rows)
    return Predictions(
        split.labels,
        decision.state.numpy(),
        split.lifts,
        decision.score.numpy(),
        embeddings=out,
        mask_embeddings=mask_emb,
    )
