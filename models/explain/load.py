"""Explainers from model files: an exported ONNX model or a torch checkpoint (``.pt``)."""

from __future__ import annotations

from pathlib import Path

import torch

from models.explain.explainers import CamExplainer, DistCamExplainer, torch_feature_runner
from models.explain.onnx_features import FeatureOnnxModel
from models.zoo.checkpoint import load_checkpoint


def distcam_explainer(path: str | Path, threads: int | None = None) -> DistCamExplainer:
    """Dist-CAM for the siamese model in ``path`` (``.onnx``: graph surgery; ``.pt``: torch)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file {path} does not exist")
    if path.suffix == ".onnx":
        model = FeatureOnnxModel(path, threads=threads)
        return DistCamExplainer(model.run, model.config)
    if threads is not None:
        torch.set_num_threads(threads)
    checkpoint = load_checkpoint(path)
    return DistCamExplainer(torch_feature_runner(checkpoint.model), checkpoint.config)


def cam_explainer(path: str | Path, threads: int | None = None) -> CamExplainer:
    """CAM for the classifier checkpoint ``path`` (``.pt``; GAP + linear head ``fc``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    if threads is not None:
        torch.set_num_threads(threads)
    return CamExplainer(load_checkpoint(path).model)
