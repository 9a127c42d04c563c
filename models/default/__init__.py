"""The shipped default model: ``siamese-fast`` trained on the synthetic 20-lift world.

``siamese-fast.onnx`` (one-branch embedding graph) and ``siamese-fast.json`` (its preprocess
config) are what the service loads when no other model is activated, so that liftwatch runs
before anyone trains. ``bash scripts/train_default.sh`` reproduces both files (data set, training,
evaluation, export); docs/ACCURACY.md gives its measured accuracy, and
tests/models/test_default_model.py re-evaluates the shipped file on freshly generated images.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_MODEL_NAME = "siamese-fast"
DEFAULT_MODEL_PATH = Path(__file__).with_name(f"{DEFAULT_MODEL_NAME}.onnx")


def default_model_path() -> Path:
    """The shipped ONNX file; a clear error if the installation lacks it."""
    if not DEFAULT_MODEL_PATH.is_file():
        raise FileNotFoundError(
            f"the default model {DEFAULT_MODEL_PATH} is missing from this installation: "
            "reinstall liftwatch or rebuild it with scripts/train_default.sh"
        )
    return DEFAULT_MODEL_PATH
