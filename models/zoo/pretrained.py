"""Load ImageNet backbone weights (torchvision key names) from a local state-dict file.

The backbone must match exactly (every key, every shape); the classifier head of the file is
skipped, since ours has 2 classes. Problems raise ``CheckpointError`` naming the keys.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from models.zoo.errors import CheckpointError

log = logging.getLogger(__name__)
MAX_LISTED = 10


def _listed(keys: list[str]) -> str:
    more = f" … and {len(keys) - MAX_LISTED} more" if len(keys) > MAX_LISTED else ""
    return ", ".join(keys[:MAX_LISTED]) + more


def load_torch_file(path: str | Path, what: str) -> Any:
    """``torch.load`` (tensors only) with errors that name ``what`` the file should be.

    torch's own message is long and multi-line; its first line is enough to say why.
    """
    try:
        return torch.load(Path(path), map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{what} {path} does not exist") from None
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CheckpointError(f"{path} is not a readable {what}: {reason}") from exc


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """A state dict (``{name: tensor}``) saved with ``torch.save``; ``CheckpointError`` if not."""
    obj = load_torch_file(path, "torch weights file")
    if not isinstance(obj, Mapping) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items()
    ):
        raise CheckpointError(f"{path} does not hold a state dict of named tensors")
    return dict(obj)


def _is_head(key: str, head_prefixes: tuple[str, ...]) -> bool:
    return key.startswith(head_prefixes)


def _required(model: nn.Module, head_prefixes: tuple[str, ...]) -> dict[str, torch.Tensor]:
    return {
        k: v
        for k, v in model.state_dict().items()
        if not _is_head(k, head_prefixes) and not k.endswith("num_batches_tracked")
    }


def load_backbone(model: nn.Module, path: str | Path, head_prefixes: tuple[str, ...]) -> None:
    """Copy every non-head tensor of ``path`` into ``model``; strict on the backbone."""
    source = {k: v for k, v in read_state_dict(path).items() if not _is_head(k, head_prefixes)}
    source = {k: v for k, v in source.items() if not k.endswith("num_batches_tracked")}
    required = _required(model, head_prefixes)
    missing = sorted(set(required) - set(source))
    unexpected = sorted(set(source) - set(required))
    if missing or unexpected:
        raise CheckpointError(
            f"{path} does not match the {type(model).__name__} backbone "
            f"(torchvision key names expected); missing keys: [{_listed(missing)}]; "
            f"unexpected keys: [{_listed(unexpected)}]"
        )
    wrong = [
        f"{k}: file {tuple(source[k].shape)} vs model {tuple(v.shape)}"
        for k, v in required.items()
        if source[k].shape != v.shape
    ]
    if wrong:
        raise CheckpointError(f"{path}: backbone shapes differ: {_listed(wrong)}")
    model.load_state_dict(source, strict=False)
    log.info("loaded %d backbone tensors from %s (head skipped)", len(source), path)
