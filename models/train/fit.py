"""``fit``: train any registered model on ``LiftData``, with early stopping and checkpoints.

Per epoch: the task's batches (siamese pairs or labelled images), one optimiser step each at
the Keras-decayed learning rate; then BatchNorm statistics are re-estimated on training batches
(models with BatchNorm only: short runs leave the running averages behind the weights), the
validation accuracy is measured (decision rule for siamese models, argmax for classifiers),
on the val images of the training lifts or, with ``config.val_lifts`` N > 0, on N held-out seen
lifts decided by their masks alone (``models.train.lifts``: the unseen-lift protocol),
``last.pt``/``best.pt`` are written and a line goes to ``log.jsonl``. With ``config.ema`` the
validation and both checkpoints are of the weights' moving average (``models.train.ema``),
updated after every optimiser step. Training stops after
``epochs`` or after ``patience`` epochs without a better validation accuracy.

``out_dir`` gets ``config.json`` (model, data, options, the training and validation lifts),
``log.jsonl``, ``last.pt`` and ``best.pt``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import torch

from models.evaluate.predict import TorchPredictor
from models.train.augment import DEFAULT_AUGMENT, DEFAULT_LIFT_WARP
from models.train.config import TrainConfig
from models.train.data import LiftData
from models.train.device import resolve_device, torch_threads, tune_for
from models.train.ema import StateDict, WeightAverage
from models.train.lifts import HELD_OUT_SPLITS, RunLifts, held_out_accuracy, run_lifts
from models.train.lifts import train_lifts_of as train_lifts_of
from models.train.log import EpochLog, EpochRecord
from models.train.optim import decayed_lr, make_optimizer, set_lr
from models.train.state import BEST, LAST, TrainState, resume, save_epoch
from models.train.tasks import Task, make_task
from models.train.triplet_task import ReportsEpochStats, mining_schedule
from models.zoo.base import ZooModel
from models.zoo.batchnorm import recalibrate_batchnorm
from models.zoo.checkpoint import CheckpointError, load_checkpoint
from models.zoo.registry import create_model, model_class

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
EpochCallback = Callable[[EpochRecord], None]


class TrainError(ValueError):
    """A training run that cannot start or go on; the message says why."""


@dataclass(frozen=True)
class FitResult:
    """How a run ended: the best epoch and its validation accuracy, the last epoch done."""

    out_dir: Path
    model: str
    device: str
    best_epoch: int
    best_val_accuracy: float
    last_epoch: int
    stopped_early: bool
    out_of_time: bool = False  # the run stopped at config.max_minutes
    val_lifts: tuple[int, ...] = ()  # held-out lifts that validated the run (masks only)
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def best_path(self) -> Path:
        return self.out_dir / BEST

    @property
    def last_path(self) -> Path:
        return self.out_dir / LAST


def _train_epoch(
    task: Task,
    optimizer: torch.optim.Optimizer,
    state: TrainState,
    base_lr: float,
    config: TrainConfig,
    tick: Callable[[int], None],
    after_update: Callable[[int], None] | None = None,
) -> float:
    """One pass over the task's batches (``after_update`` called with the number of updates
    done before each one, after it); returns the mean loss per sample."""
    total, count = 0.0, 0
    for i, batch in enumerate(task.batches(state.epoch)):
        set_lr(optimizer, decayed_lr(base_lr, config.lr_decay, state.iterations))
        loss = task.loss(batch)
        if not torch.isfinite(loss):
            raise TrainError(
                f"loss became {float(loss.detach())} at epoch {state.epoch + 1}: lower --lr "
                f"(it is {base_lr:g})"
            )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if after_update is not None:
            after_update(state.iterations)
        state.iterations += 1
        n = len(batch[-1])
        total += float(loss.detach()) * n
        count += n
        tick(i + 1)
    return total / max(count, 1)


@dataclass
class _Run:
    """Everything one run's epochs share."""

    model: ZooModel
    task: Task
    optimizer: torch.optim.Optimizer
    state: TrainState
    data: LiftData
    config: TrainConfig
    base_lr: float
    out_dir: Path
    meta: dict[str, Any]
    epoch_log: EpochLog
    device: torch.device
    held_out: LiftData | None = None  # the held-out validation lifts (config.val_lifts > 0)
    ema: WeightAverage | None = None  # config.ema: validated and saved instead of the weights
    out_of_time: bool = False  # an epoch was not started: it would end past config.max_minutes

    def validate(self) -> float:
        """Re-estimate BatchNorm statistics (where the model has BN), then val accuracy."""
        # an epoch index no training epoch uses: BN batches are drawn apart from training's
        bn = self.task.bn_inputs(10**6 + self.state.epoch, self.config.bn_batches)
        used = recalibrate_batchnorm(self.model, bn)
        if used:
            log.debug("re-estimated BatchNorm statistics on %d batches", used)
        self.model.eval()
        if self.held_out is not None:
            predictor = TorchPredictor(self.model, self.device)
            return held_out_accuracy(predictor, self.held_out, 2 * self.config.batch_size)
        return self.task.accuracy(self.data.split("val"))

    def validate_and_save(self, trained: StateDict | None) -> tuple[float, bool]:
        """Validate the model's weights, count the epoch done, write the checkpoints (with
        ``trained``, the trained weights when the model holds their average); the validation
        accuracy and whether it is the best so far."""
        val = self.validate()
        state = self.state
        state.epoch += 1
        is_best = val > state.best_val
        if is_best:
            state.best_val, state.best_epoch, state.since_best = val, state.epoch, 0
        else:
            state.since_best += 1
        save_epoch(
            self.out_dir, self.model, self.optimizer, state, self.meta, val, is_best, trained
        )
        return val, is_best

    def epoch(self, tick: Callable[[int], None]) -> EpochRecord:
        """Train one epoch, validate, checkpoint and log it."""
        start = time.perf_counter()
        self.model.train()
        begin_epoch = getattr(self.model, "begin_epoch", None)
        if callable(begin_epoch):  # models trained in phases (getnet: models.zoo.alternating)
            begin_epoch(self.state.epoch)
        average = None if self.ema is None else partial(self.ema.update, self.model)
        loss = _train_epoch(
            self.task, self.optimizer, self.state, self.base_lr, self.config, tick, average
        )
        if self.ema is None:
            val, is_best = self.validate_and_save(None)
        else:
            with self.ema.swapped_in(self.model) as trained:
                val, is_best = self.validate_and_save(trained)
        state = self.state
        lr = decayed_lr(self.base_lr, self.config.lr_decay, state.iterations)
        seconds = time.perf_counter() - start
        stats = self.task.epoch_stats() if isinstance(self.task, ReportsEpochStats) else {}
        record = EpochRecord(
            state.epoch,
            loss,
            val,
            lr,
            seconds,
            state.iterations,
            is_best,
            hard_cases=stats.get("hard_cases"),
            violating=stats.get("violating"),
        )
        self.epoch_log.append(record)
        log.info("epoch %d: loss %.4f, val accuracy %.4f", state.epoch, loss, val)
        return record

    def loop(self, progress: Progress | None, on_epoch: EpochCallback | None) -> None:
        """Epochs until ``epochs`` or until ``patience`` epochs bring no better accuracy."""
        per_epoch = self.task.num_batches()
        total = per_epoch * self.config.epochs
        started = time.perf_counter()
        last_seconds = 0.0
        while (
            self.state.epoch < self.config.epochs and self.state.since_best < self.config.patience
        ):
            if not within_budget(self.config.max_minutes, started, last_seconds):
                self.out_of_time = True
                log.info("time budget of %g min reached", self.config.max_minutes)
                break
            first = self.state.epoch * per_epoch

            def tick(done: int, first: int = first) -> None:
                if progress is not None:
                    progress(first + done, total)

            record = self.epoch(tick)
            last_seconds = record.seconds
            if on_epoch is not None:
                on_epoch(record)


def within_budget(max_minutes: float | None, started: float, last_seconds: float) -> bool:
    """Whether another epoch as long as the last one ends within ``max_minutes`` of ``started``
    (``time.perf_counter`` seconds); always when there is no budget."""
    if max_minutes is None:
        return True
    return time.perf_counter() - started + last_seconds <= 60 * max_minutes


def fit(
    model_name: str,
    data: LiftData,
    config: TrainConfig,
    out_dir: Path,
    progress: Progress | None = None,
    on_epoch: EpochCallback | None = None,
) -> FitResult:
    """Train ``model_name`` on ``data`` into ``out_dir`` (see the module doc)."""
    kind = model_class(model_name).kind  # UnknownModelError names the known ones
    try:
        config.check_model_kind(model_name, kind)
    except ValueError as exc:
        raise TrainError(str(exc)) from None
    lifts = run_lifts(data, config)
    subset = data.restrict(lifts.train)
    held_out = data.restrict(lifts.val) if lifts.val else None
    out_dir.mkdir(parents=True, exist_ok=True)
    with torch_threads(config.threads):
        run = _start(model_name, subset, config, out_dir, data.source, lifts, held_out)
        run.loop(progress, on_epoch)
    state = run.state
    return FitResult(
        out_dir=out_dir,
        model=model_name,
        device=str(run.device),
        best_epoch=state.best_epoch,
        best_val_accuracy=state.best_val,
        last_epoch=state.epoch,
        stopped_early=state.since_best >= config.patience,
        out_of_time=run.out_of_time,
        history=run.epoch_log.read(),
        val_lifts=lifts.val,
    )


def _start(
    model_name: str,
    data: LiftData,
    config: TrainConfig,
    out_dir: Path,
    source: str,
    lifts: RunLifts,
    held_out: LiftData | None,
) -> _Run:
    """Build the model, task and optimiser; load ``last.pt`` when resuming."""
    device = resolve_device(config.device)
    tune_for(device)
    train = data.split("train")
    torch.manual_seed(config.seed)
    try:
        model = create_model(model_name, **config.build_kwargs())
    except (TypeError, ValueError) as exc:
        raise TrainError(f"cannot build {model_name}: {exc}") from exc
    if config.init is not None and not config.resume:
        start_from(model, model_name, Path(config.init))
    model.to(device)
    augment = DEFAULT_AUGMENT if config.augment else None
    lift_warp = DEFAULT_LIFT_WARP if config.augment and config.augment_lifts else None
    task = make_task(
        model,
        train,
        data.masks,
        config.batch_size,
        config.seed,
        device,
        augment,
        config.margin,
        lift_warp,
        source=source,
        loss=config.loss,
        mining=mining_schedule(config),
    )
    base_lr = config.learning_rate(model_name)
    optimizer = make_optimizer(model, config, base_lr)
    meta: dict[str, Any] = {
        "model": model_name,
        "data": source,
        "train_lifts": list(lifts.train),
        "val_lifts": list(lifts.val),
        "validation": _validation_text(lifts),
        "train_config": config.to_dict(),
    }
    epoch_log = EpochLog(out_dir / "log.jsonl")
    state = TrainState()
    trained: StateDict | None = None
    if config.resume:
        state, trained = resume(out_dir, model, optimizer, config, source, lifts.train, lifts.val)
        epoch_log.truncate(state.epoch)
        log.info("resuming %s after epoch %d", model_name, state.epoch)
    else:
        epoch_log.reset()
    ema = None
    if config.ema is not None:
        ema = WeightAverage(model, config.ema)  # resumed: last.pt's weights are the average
        if trained is not None:
            model.load_state_dict(trained)
    if lifts.val:
        log.info("validating on held-out lifts %s by their masks only", list(lifts.val))
    info = meta | {"device": str(device), "lr": base_lr}
    (out_dir / "config.json").write_text(json.dumps(info, indent=2) + "\n")
    return _Run(
        model,
        task,
        optimizer,
        state,
        data,
        config,
        base_lr,
        out_dir,
        meta,
        epoch_log,
        device,
        held_out,
        ema,
    )


def start_from(model: ZooModel, model_name: str, path: Path) -> None:
    """Load the weights of the checkpoint ``path`` (``--init``) into the new ``model``."""
    try:
        saved = load_checkpoint(path, expected_model=model_name)
    except (CheckpointError, OSError) as exc:
        raise TrainError(f"--init {path}: {exc}") from None
    if saved.config.input_size != model.preprocess_config.input_size:
        raise TrainError(
            f"--init {path}: its input is {saved.config.input_size}, this run's "
            f"{model.preprocess_config.input_size} (give the same --input-size)"
        )
    try:
        model.load_state_dict(saved.model.state_dict())
    except RuntimeError as exc:
        raise TrainError(
            f"--init {path}: its weights do not fit this {model_name}: {exc}"
        ) from None
    log.info("starting from the weights of %s", path)


def _validation_text(lifts: RunLifts) -> str:
    """What ``val_accuracy`` measures, for ``config.json`` and the checkpoints."""
    if not lifts.val:
        return "val split of the training lifts, overall accuracy"
    splits = "+".join(HELD_OUT_SPLITS)
    return (
        f"held-out lifts {list(lifts.val)} ({splits} splits), never trained on, each image "
        "decided by its own lift's two masks only; mean of the per-lift accuracies"
    )
