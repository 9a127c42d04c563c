"""Torch weights with everything needed to rebuild the model, in one file.

A checkpoint holds the format tag, the registry name, the constructor kwargs (``pretrained``
left out: the weights are in the file), the ``PreprocessConfig``, the state dict and an optional
``extra`` dict (epoch, metrics, ...). Anything wrong with a file raises ``CheckpointError`` with
a message that says what: unreadable, not a liftwatch checkpoint, another model than expected,
unknown model, or keys/shapes that do not match.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from models.zoo.base import ZooModel
from models.zoo.errors import CheckpointError
from models.zoo.preprocess import PreprocessConfig
from models.zoo.pretrained import MAX_LISTED, load_torch_file
from models.zoo.registry import UnknownModelError, create_model, model_class

log = logging.getLogger(__name__)
FORMAT = "liftwatch.zoo.checkpoint"
VERSION = 1
NOT_SAVED_KWARGS = ("pretrained",)


@dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint: the rebuilt model (eval mode) and what came with it."""

    model: ZooModel
    config: PreprocessConfig
    extra: dict[str, Any]


def save_checkpoint(
    model: ZooModel, path: str | Path, extra: Mapping[str, Any] | None = None
) -> Path:
    """Write ``model`` (built by ``create_model``) to ``path``; returns the path."""
    if not model.model_name:
        raise CheckpointError(f"{type(model).__name__} is not a registered model")
    kwargs = {k: v for k, v in model.init_kwargs.items() if k not in NOT_SAVED_KWARGS}
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "model": model.model_name,
        "kwargs": kwargs,
        "preprocess": model.preprocess_config.to_dict(),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "extra": dict(extra or {}),
    }
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(payload, out)
    log.info("saved %s checkpoint to %s", model.model_name, out)
    return out


def read_payload(path: str | Path) -> dict[str, Any]:
    """The checked contents of a checkpoint file (no model built)."""
    payload = load_torch_file(path, "checkpoint")
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a liftwatch model checkpoint (no {FORMAT!r} tag)")
    if payload.get("version") != VERSION:
        raise CheckpointError(f"{path}: unsupported checkpoint version {payload.get('version')!r}")
    for key, kind in (("model", str), ("kwargs", dict), ("preprocess", dict), ("state_dict", dict)):
        if not isinstance(payload.get(key), kind):
            raise CheckpointError(f"{path}: field {key!r} is missing or not a {kind.__name__}")
    return payload


def _check_state(path: str | Path, model: torch.nn.Module, state: Mapping[str, Any]) -> None:
    own = model.state_dict()
    missing, unexpected = sorted(set(own) - set(state)), sorted(set(state) - set(own))
    if missing or unexpected:
        raise CheckpointError(
            f"{path} does not fit {type(model).__name__}: missing keys {missing[:MAX_LISTED]}, "
            f"unexpected keys {unexpected[:MAX_LISTED]}"
        )
    wrong = [
        f"{k}: file {tuple(getattr(state[k], 'shape', ()))} vs model {tuple(v.shape)}"
        for k, v in own.items()
        if not isinstance(state[k], torch.Tensor) or state[k].shape != v.shape
    ]
    if wrong:
        raise CheckpointError(f"{path}: shapes differ: {'; '.join(wrong[:MAX_LISTED])}")


def load_checkpoint(path: str | Path, expected_model: str | None = None) -> Checkpoint:
    """Rebuild the model saved in ``path`` (eval mode, on the CPU).

    ``expected_model``: raise ``CheckpointError`` when the file holds another model.
    """
    payload = read_payload(path)
    name = payload["model"]
    if expected_model is not None and name != expected_model:
        raise CheckpointError(f"{path} holds a {name!r} model, not {expected_model!r}")
    try:
        model_class(name)
    except UnknownModelError as exc:
        raise CheckpointError(f"{path}: {exc}") from None
    try:
        config = PreprocessConfig.from_dict(payload["preprocess"])
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: bad preprocess config: {exc}") from exc
    if config.model != name:
        raise CheckpointError(f"{path}: preprocess config is for {config.model!r}, not {name!r}")
    try:
        model = create_model(name, **payload["kwargs"])
    except (TypeError, ValueError) as exc:
        msg = f"{path}: cannot rebuild {name!r} from {payload['kwargs']}: {exc}"
        raise CheckpointError(msg) from exc
    _check_state(path, model, payload["state_dict"])
    model.load_state_dict(payload["state_dict"])
    if config != model.preprocess_config:
        log.warning("%s: saved preprocess config differs from the code's; using it", path)
    model.preprocess_config = config
    return Checkpoint(model.eval(), config, dict(payload.get("extra") or {}))


def load_weights(model: ZooModel, path: str | Path) -> dict[str, Any]:
    """Load the weights of ``path`` into an existing ``model`` of the same name and shapes;
    returns the checkpoint's ``extra``."""
    payload = read_payload(path)
    if payload["model"] != model.model_name:
        raise CheckpointError(
            f"{path} holds a {payload['model']!r} model, not {model.model_name!r}"
        )
    _check_state(path, model, payload["state_dict"])
    model.load_state_dict(payload["state_dict"])
    return dict(payload.get("extra") or {})
