"""Training state in checkpoints: what ``--resume`` needs to continue where a run stopped.

``last.pt`` (every epoch) and ``best.pt`` (best validation accuracy so far) are zoo checkpoints
(``models.zoo.checkpoint``): they rebuild the model alone. Their ``extra`` holds the epoch, the
validation accuracy, the training options, the data, the lifts trained on and the held-out lifts
validated on (``val_lifts``, empty unless ``--val-lifts``); ``last.pt`` adds
the optimiser state, the update count, the early-stopping counters, torch's random number
generator states and, with ``--ema`` (whose checkpoints hold the averaged weights), the trained
weights. Data order needs no saved state: it is drawn from (seed, epoch).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from models.train.config import TrainConfig
from models.zoo.base import ZooModel
from models.zoo.checkpoint import load_weights, save_checkpoint
from models.zoo.errors import CheckpointError

LAST, BEST = "last.pt", "best.pt"


class ResumeError(ValueError):
    """A run that cannot be resumed; the message says why."""


@dataclass
class TrainState:
    """Epochs done, updates done and the early-stopping bookkeeping."""

    epoch: int = 0
    iterations: int = 0
    best_val: float = -1.0
    best_epoch: int = 0
    since_best: int = 0


def _rng_states() -> dict[str, Any]:
    states: dict[str, Any] = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def _set_rng_states(states: dict[str, Any]) -> None:
    torch.set_rng_state(states["torch"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def save_epoch(
    out_dir: Path,
    model: ZooModel,
    optimizer: torch.optim.Optimizer,
    state: TrainState,
    meta: dict[str, Any],
    val_accuracy: float,
    is_best: bool,
    trained: dict[str, torch.Tensor] | None = None,
) -> None:
    """Write ``last.pt`` (and ``best.pt`` when ``is_best``) after an epoch; ``trained``: the
    trained weights when ``model`` holds their average (``--ema``), kept in ``last.pt``."""
    common = {**meta, "epoch": state.epoch, "val_accuracy": val_accuracy}
    last = {
        **common,
        "train_state": asdict(state),
        "optimizer": optimizer.state_dict(),
        "rng": _rng_states(),
    }
    if trained is not None:
        last["trained_weights"] = trained
    if is_best:
        save_checkpoint(model, out_dir / BEST, common)
    save_checkpoint(model, out_dir / LAST, last)


def resume(
    out_dir: Path,
    model: ZooModel,
    optimizer: torch.optim.Optimizer,
    config: TrainConfig,
    data_source: str,
    train_lifts: tuple[int, ...] | None = None,
    val_lifts: tuple[int, ...] = (),
) -> tuple[TrainState, dict[str, torch.Tensor] | None]:
    """Load ``last.pt`` of ``out_dir`` into ``model`` and ``optimizer``; the state to go on
    from, and the trained weights when ``model`` now holds their average (``--ema``).

    ``train_lifts``/``val_lifts``: the lifts the resumed run would train and validate on; they
    must be those of the checkpoint (the held-out validation lifts are drawn from the seed, so a
    run with the same options and data draws them again; anything else is refused).
    """
    path = out_dir / LAST
    if not path.is_file():
        raise ResumeError(f"--resume: {path} does not exist (nothing to resume)")
    try:
        extra = load_weights(model, path)
    except CheckpointError as exc:
        raise ResumeError(f"--resume: {exc}") from exc
    if "train_state" not in extra or "optimizer" not in extra:
        raise ResumeError(f"--resume: {path} holds no training state")
    changed = config.differences(extra.get("train_config", {}))
    if extra.get("data") != data_source:
        changed.append(f"data: was {extra.get('data')!r}, now {data_source!r}")
    if train_lifts is not None and "train_lifts" in extra:
        was = [int(k) for k in extra["train_lifts"]]
        if was != list(train_lifts):
            changed.append(f"training lifts: were {was}, now {list(train_lifts)}")
    was_val = [int(k) for k in extra.get("val_lifts", [])]
    if was_val != list(val_lifts):
        changed.append(f"held-out validation lifts: were {was_val}, now {list(val_lifts)}")
    if changed:
        raise ResumeError("--resume needs the options of the first run: " + "; ".join(changed))
    try:
        optimizer.load_state_dict(extra["optimizer"])
    except (KeyError, ValueError) as exc:
        raise ResumeError(f"--resume: optimizer state does not fit: {exc}") from exc
    _set_rng_states(extra["rng"])
    return TrainState(**extra["train_state"]), extra.get("trained_weights")
