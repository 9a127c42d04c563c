"""Train and evaluate the pairing networks (plain siamese, GetNet) on cluttered MNIST.

Per epoch: fresh cluttered training pairs (``PairingData.train_epoch``), both images of a pair
embedded in one forward pass, the contrastive loss (GetNet eq. 8, margin 1), Adam at a rate
constant or annealed (``lr_schedule``); GetNet's STN at ``stn_lr_scale`` times the rate, and
the epoch's phase from ``AlternatingSchedule`` (siamese frozen in "stn" epochs; with
``freeze_stn``, an STN carried from another run by ``stn_from`` stays fixed and every epoch
trains the sister). After each epoch the distance threshold that best separates the
validation pairs is chosen and the validation accuracy measured. ``keep`` says which weights
and threshold are kept and give the test accuracy: ``best``, the best validation epoch's (the
earliest on a tie); ``last``, the final epoch's (with the rate annealed to its end, when
validation is too near 100 % to tell epochs apart); or ``average``, the mean of the final
``average_epochs`` epochs' weights (stochastic weight averaging, Izmailov et al., 2018: a
flatter point than any one of them), its BatchNorm statistics measured again on the last
epoch's training canvases and its threshold chosen on the validation pairs. The result records
all three rules' test accuracies (``keep_rules``), whichever is kept. The same seed,
budget (epochs, pairs, batches) and sister serve both models.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from models.pairing.data import PairingData, PairSet
from models.pairing.distort import Distortion
from models.pairing.localisation import window_errors
from models.pairing.mnist import load_digits
from models.pairing.nets import LOCALISERS, PAIRING_MODELS, SISTERS, PairingNet
from models.train.log import EpochLog
from models.zoo.alternating import AlternatingSchedule, Phase
from models.zoo.losses import ContrastiveLoss
from models.zoo.stn import S_MAX, S_MIN

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
WEIGHTS = "model.pt"
EPOCH_LOG = "log.jsonl"
RESULT = "result.json"
LR_SCHEDULES = ("constant", "cosine")
KEEPS = ("best", "last", "average")


class ConfigError(ValueError):
    """A bad :class:`PairingConfig` value; ``field`` names it, and the message starts with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field


@dataclass(frozen=True)
class PairingConfig:
    """Everything a pairing run depends on (saved with its weights)."""

    model: str = "getnet"  # siamese | getnet
    sister: str = "lenet"  # lenet | cnn (models.pairing.nets)
    epochs: int = 8
    batch_size: int = 64
    lr: float = 1e-3
    lr_schedule: str = "constant"  # constant | cosine (annealed to 0 over the epochs)
    stn_lr_scale: float = 0.1
    stn_init_scale: float = 1.0  # the STN's window at the start, of the canvas's side
    stn_localiser: str = "regress"  # regress | heatmap (models.pairing.nets.make_stn)
    stn_s_max: float = S_MAX  # the largest window the STN may take, of the canvas's side
    margin: float = 1.0
    seed: int = 0
    canvas: int = 60
    noise: float = 0.5
    noise_warmup: int = 0  # epochs over which the training noise rises from 0 to ``noise``
    distort: bool = False  # training digits rotated, scaled, sheared afresh every epoch
    elastic: float = 0.0  # with distort: their strokes bent too, by a field of this strength
    val_per_class: int = 50
    test_per_class: int = 100
    embedding_size: int = 32
    warmup: int = 2
    stn_epochs: int = 1
    joint_epochs: int = 2
    stn_from: str = ""  # a GetNet model.pt whose STN starts this run's (same localiser, canvas)
    freeze_stn: bool = False  # with stn_from: that STN is kept as it is, the sister alone learns
    crop: int | None = None  # GetNet's crop side, the sister's input (None: the canvas's side)
    keep: str = "best"  # best (validation accuracy) | last | average: the weights kept
    average_epochs: int = 10  # keep average: the final epochs averaged (all, when fewer)

    def __post_init__(self) -> None:
        if self.model not in PAIRING_MODELS:
            message = f"must be one of {', '.join(PAIRING_MODELS)}: {self.model!r}"
            raise ConfigError("model", message)
        if self.sister not in SISTERS:
            raise ConfigError("sister", f"must be one of {', '.join(SISTERS)}: {self.sister!r}")
        for name in ("epochs", "batch_size", "canvas", "embedding_size", "average_epochs"):
            if getattr(self, name) < 1:
                raise ConfigError(name, f"must be >= 1, got {getattr(self, name)}")
        if not 0 <= self.noise <= 1:
            raise ConfigError("noise", f"must lie in [0, 1], got {self.noise}")
        if not 0 <= self.elastic <= 100:
            raise ConfigError("elastic", f"must lie in [0, 100], got {self.elastic}")
        if self.elastic and not self.distort:
            raise ConfigError("elastic", "needs distort: it bends the distorted training digits")
        if self.noise_warmup < 0:
            raise ConfigError("noise_warmup", f"must be >= 0, got {self.noise_warmup}")
        if self.keep not in KEEPS:
            raise ConfigError("keep", f"must be one of {', '.join(KEEPS)}: {self.keep!r}")
        if self.lr_schedule not in LR_SCHEDULES:
            message = f"must be one of {', '.join(LR_SCHEDULES)}: {self.lr_schedule!r}"
            raise ConfigError("lr_schedule", message)
        for name in ("lr", "stn_lr_scale", "margin"):
            if getattr(self, name) <= 0:
                raise ConfigError(name, f"must be > 0, got {getattr(self, name)}")
        if self.stn_localiser not in LOCALISERS:
            message = f"must be one of {', '.join(LOCALISERS)}: {self.stn_localiser!r}"
            raise ConfigError("stn_localiser", message)
        if not S_MIN < self.stn_s_max <= S_MAX:
            raise ConfigError("stn_s_max", f"must lie in ({S_MIN}, {S_MAX}], got {self.stn_s_max}")
        if not S_MIN < self.stn_init_scale < self.stn_s_max:
            message = f"must lie in ({S_MIN}, {self.stn_s_max}), got {self.stn_init_scale}"
            raise ConfigError("stn_init_scale", message)
        if self.canvas < 28:
            raise ConfigError("canvas", f"must be at least 28 (a digit's side), got {self.canvas}")
        if self.stn_from and self.model != "getnet":
            raise ConfigError("stn_from", f"needs model getnet, got {self.model!r}")
        if self.freeze_stn and not self.stn_from:
            raise ConfigError("freeze_stn", "needs stn_from: an STN learnt in another run")
        if self.crop is not None:
            if self.model != "getnet":
                raise ConfigError("crop", f"needs model getnet, got {self.model!r}")
            if not 16 <= self.crop <= self.canvas:
                message = f"must lie in [16, canvas = {self.canvas}], got {self.crop}"
                raise ConfigError("crop", message)
        try:
            self.schedule  # noqa: B018 - checks warmup, stn_epochs, joint_epochs together
        except ValueError as exc:
            raise ConfigError("joint_epochs", str(exc)) from None

    @property
    def schedule(self) -> AlternatingSchedule:
        return AlternatingSchedule(self.warmup, self.stn_epochs, self.joint_epochs)

    def train_noise(self, epoch: int) -> float:
        """The training background's noise in ``epoch`` (0-based): ``noise`` from epoch
        ``noise_warmup`` on, before that rising linearly from 0 (a curriculum: the digit alone
        on a dark canvas first). Validation and test canvases are always at ``noise``."""
        if epoch >= self.noise_warmup:
            return self.noise
        return self.noise * epoch / self.noise_warmup

    def phase(self, epoch: int) -> Phase:
        """Every epoch is joint for the plain siamese network and for GetNet with a frozen STN
        (an STN-only epoch would train nothing)."""
        alternating = self.model == "getnet" and not self.freeze_stn
        return self.schedule.phase(epoch) if alternating else "joint"


def build(config: PairingConfig) -> PairingNet:
    torch.manual_seed(config.seed)
    return PairingNet(
        config.model,  # type: ignore[arg-type]
        config.canvas,
        config.embedding_size,
        config.stn_init_scale,
        config.sister,  # type: ignore[arg-type]
        config.stn_localiser,  # type: ignore[arg-type]
        config.stn_s_max,
        config.crop,
    )


def make_data(config: PairingConfig) -> PairingData:
    return PairingData(
        load_digits(),
        config.canvas,
        config.noise,
        config.val_per_class,
        config.test_per_class,
        Distortion(elastic=config.elastic) if config.distort else None,
    )


@torch.no_grad()
def pair_distances(net: PairingNet, data: PairSet, batch_size: int = 256) -> torch.Tensor:
    """Euclidean distance of each pair's embeddings (eval mode)."""
    net.eval()
    emb = torch.cat(
        [net(data.canvases[i : i + batch_size]) for i in range(0, len(data.canvases), batch_size)]
    )
    a, b = torch.from_numpy(data.pairs.a), torch.from_numpy(data.pairs.b)
    return (emb[a] - emb[b]).norm(dim=1)


def best_threshold(distances: torch.Tensor, same: torch.Tensor) -> tuple[float, float]:
    """(threshold, accuracy): "same" when distance < threshold, the most accurate cut."""
    d, order = distances.sort()
    s = same[order].to(torch.float64)
    n = len(d)
    # cut after k sorted pairs: k "same" predictions; correct = same among them + different after
    same_before = torch.cat([torch.zeros(1, dtype=torch.float64), s.cumsum(0)])
    diff_after = (1 - s).sum() - torch.cat([torch.zeros(1, dtype=torch.float64), (1 - s).cumsum(0)])
    correct = same_before + diff_after
    k = int(correct.argmax())
    lo = float(d[k - 1]) if k > 0 else float(d[0]) - 1.0
    hi = float(d[k]) if k < n else float(d[-1]) + 1.0
    return (lo + hi) / 2, float(correct[k]) / n


def accuracy_at(distances: torch.Tensor, same: torch.Tensor, threshold: float) -> float:
    predicted = distances < threshold
    return float((predicted == same.bool()).double().mean())


class WeightAverage:
    """The running mean of a network's weights over the epochs it is fed (``add``); integer
    buffers (BatchNorm's batch counts) are the last epoch's."""

    def __init__(self) -> None:
        self._sums: dict[str, torch.Tensor] = {}
        self._last: dict[str, torch.Tensor] = {}
        self.count = 0

    def add(self, state: dict[str, torch.Tensor]) -> None:
        for key, value in state.items():
            if value.is_floating_point():
                total = self._sums.get(key)
                double = value.detach().to(torch.float64)
                self._sums[key] = double.clone() if total is None else total + double
            else:
                self._last[key] = value.detach().clone()
        self.count += 1

    def state_dict(self, like: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The mean weights, in ``like``'s keys and dtypes."""
        if self.count == 0:
            raise ValueError("no weights were added to the average")
        return {
            key: (self._sums[key] / self.count).to(value.dtype)
            if key in self._sums
            else self._last[key]
            for key, value in like.items()
        }


@torch.no_grad()
def recalibrate_batchnorm(net: nn.Module, batches: list[torch.Tensor]) -> int:
    """Measure again the running statistics of ``net``'s BatchNorm layers that train (a frozen
    STN's stay as they are) over ``batches``, as a plain average: averaged weights need their
    own statistics, not the average of the epochs'. The number of layers measured."""
    net.train()
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    norms = [m for m in norms if m.training and m.track_running_stats]
    momenta = [m.momentum for m in norms]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative: every batch counts the same
    if norms:
        for batch in batches:
            net(batch)
    for norm, momentum in zip(norms, momenta, strict=True):
        norm.momentum = momentum
    net.eval()
    return len(norms)


def _optimizer(net: PairingNet, config: PairingConfig) -> torch.optim.Optimizer:
    groups: list[dict[str, Any]] = [{"params": list(net.sister.parameters()), "lr": config.lr}]
    if net.stn is not None and not net.stn_frozen:
        groups.append({"params": list(net.stn.parameters()), "lr": config.lr * config.stn_lr_scale})
    return torch.optim.Adam(groups)


def _scheduler(
    optimizer: torch.optim.Optimizer, config: PairingConfig
) -> torch.optim.lr_scheduler.LRScheduler | None:
    """Stepped once per epoch: ``cosine`` takes every group's rate from its start to 0 over
    ``config.epochs`` (the last epoch trains at a small rate, not 0); ``constant``: none."""
    if config.lr_schedule == "constant":
        return None
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=config.epochs)


def _train_epoch(
    net: PairingNet,
    optimizer: torch.optim.Optimizer,
    loss_fn: ContrastiveLoss,
    data: PairSet,
    batch_size: int,
    tick: Callable[[int], None],
) -> float:
    net.train()
    pairs, total = data.pairs, 0.0
    for i, start in enumerate(range(0, len(pairs), batch_size)):
        s = slice(start, start + batch_size)
        a, b = data.canvases[pairs.a[s]], data.canvases[pairs.b[s]]
        out = net(torch.cat([a, b]))
        same = torch.from_numpy(pairs.same[s])
        loss = loss_fn(out[: len(a)], out[len(a) :], same)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += float(loss.detach()) * len(a)
        tick(i + 1)
    return total / max(len(pairs), 1)


def train_pairing(
    config: PairingConfig,
    out_dir: Path,
    data: PairingData | None = None,
    progress: Progress | None = None,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Train ``config.model`` into ``out_dir`` (``model.pt``, ``result.json``, and one line of
    ``log.jsonl`` per epoch as it ends); the result."""
    net = build(config)
    if config.stn_from:  # before anything is written: a bad checkpoint leaves no run behind
        load_stn(net, Path(config.stn_from), config)
        if config.freeze_stn:
            net.freeze_stn()
    data = data if data is not None else make_data(config)
    epoch_log = EpochLog(out_dir / EPOCH_LOG)
    epoch_log.reset()
    optimizer = _optimizer(net, config)
    scheduler = _scheduler(optimizer, config)
    loss_fn = ContrastiveLoss(margin=config.margin)
    per_epoch = -(-2 * len(data.train) // config.batch_size)
    history: list[dict[str, Any]] = []
    best: dict[str, Any] = {"val_accuracy": -1.0}
    average, averaged_from = WeightAverage(), max(0, config.epochs - config.average_epochs)
    val_same = torch.from_numpy(data.val.pairs.same)
    started = time.perf_counter()
    for epoch in range(config.epochs):
        t0 = time.perf_counter()
        phase = config.phase(epoch)
        net.set_phase(phase)

        def tick(done: int, epoch: int = epoch) -> None:
            if progress is not None:
                progress(epoch * per_epoch + done, config.epochs * per_epoch)

        noise = config.train_noise(epoch)
        train = data.train_epoch(config.seed, epoch, noise)
        lr = optimizer.param_groups[0]["lr"]
        loss = _train_epoch(net, optimizer, loss_fn, train, config.batch_size, tick)
        if scheduler is not None:
            scheduler.step()
        threshold, val_acc = best_threshold(pair_distances(net, data.val), val_same)
        record = {
            "epoch": epoch + 1,
            "phase": phase,
            "loss": loss,
            "lr": lr,
            "noise": noise,
            "val_accuracy": val_acc,
            "threshold": threshold,
            "seconds": time.perf_counter() - t0,
        }
        if net.stn is not None:
            record["val_window_px"] = window_errors(net, data.val)["mean_px"]
        history.append(record)
        epoch_log.append_dict(record)
        log.info("epoch %d (%s): loss %.4f, val %.4f", epoch + 1, phase, loss, val_acc)
        if val_acc > best["val_accuracy"]:
            best = {**record, "state_dict": {k: v.clone() for k, v in net.state_dict().items()}}
        if epoch >= averaged_from:
            average.add(net.state_dict())
        if on_epoch is not None:
            on_epoch(record)
    net.set_phase("joint")
    last = {**history[-1], "state_dict": {k: v.clone() for k, v in net.state_dict().items()}}
    mean = _averaged(net, average, train, config.batch_size, data.val, val_same, config.epochs)
    candidates = {"best": best, "last": last, "average": mean}
    rules = {rule: _test_at(net, data, record) for rule, record in candidates.items()}
    rules["average"]["epochs"] = [averaged_from + 1, config.epochs]
    kept = candidates[config.keep]
    net.load_state_dict(kept["state_dict"])
    result = {
        "model": config.model,
        "config": asdict(config),
        "keep": config.keep,
        "kept_epoch": kept["epoch"],
        "best_epoch": best["epoch"],
        "val_accuracy": kept["val_accuracy"],
        "threshold": kept["threshold"],
        "test_accuracy": rules[config.keep]["test_accuracy"],
        "keep_rules": rules,
        "test_pairs": len(data.test.pairs),
        "test_window": window_errors(net, data.test) if net.stn is not None else None,
        "train_digits": len(data.train),
        "seconds": time.perf_counter() - started,
        "history": history,
    }
    save(net, config, kept["threshold"], out_dir)
    (out_dir / RESULT).write_text(json.dumps(result, indent=2) + "\n")
    return result


def _averaged(
    net: PairingNet,
    average: WeightAverage,
    train: PairSet,
    batch_size: int,
    val: PairSet,
    val_same: torch.Tensor,
    epoch: int,
) -> dict[str, Any]:
    """The averaged weights as an epoch's record: BatchNorm measured again on ``train``'s
    canvases, the threshold and accuracy on the validation pairs; ``epoch``, the final one's."""
    final = net.state_dict()
    net.load_state_dict(average.state_dict(final))
    canvases = train.canvases
    recalibrate_batchnorm(
        net, [canvases[i : i + batch_size] for i in range(0, len(canvases), batch_size)]
    )
    threshold, val_acc = best_threshold(pair_distances(net, val), val_same)
    state = {k: v.clone() for k, v in net.state_dict().items()}
    net.load_state_dict(final)
    return {"epoch": epoch, "val_accuracy": val_acc, "threshold": threshold, "state_dict": state}


def _test_at(net: PairingNet, data: PairingData, record: dict[str, Any]) -> dict[str, Any]:
    """The epoch of ``record`` (its weights in ``state_dict``) on the test pairs, at its own
    validation threshold: ``{epoch, val_accuracy, threshold, test_accuracy}``."""
    net.load_state_dict(record["state_dict"])
    same = torch.from_numpy(data.test.pairs.same)
    test = accuracy_at(pair_distances(net, data.test), same, record["threshold"])
    keys = ("epoch", "val_accuracy", "threshold")
    return {**{k: record[k] for k in keys}, "test_accuracy": test}


def save(net: PairingNet, config: PairingConfig, threshold: float, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / WEIGHTS
    payload = {"config": asdict(config), "threshold": threshold, "state_dict": net.state_dict()}
    torch.save(payload, path)
    return path


def load(path: Path) -> tuple[PairingNet, PairingConfig, float]:
    """A saved pairing network (eval mode), its config and its distance threshold."""
    if not path.is_file():
        raise FileNotFoundError(f"pairing weights {path} do not exist")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        config = PairingConfig(**payload["config"])
        net = build(config)
        net.load_state_dict(payload["state_dict"])
    except (KeyError, TypeError, RuntimeError) as exc:
        raise ValueError(f"{path} is not a pairing checkpoint: {exc}") from exc
    return net.eval(), config, float(payload["threshold"])


def load_stn(net: PairingNet, path: Path, config: PairingConfig) -> None:
    """Start ``net``'s STN from the STN of the GetNet checkpoint ``path`` (a localiser learnt
    with one sister, carried to another); its localiser and canvas must be ``config``'s."""
    if net.stn is None:
        raise TypeError("the plain siamese network has no STN")
    source, source_config, _ = load(path)
    if source.stn is None:
        raise ValueError(f"{path} holds a {source_config.model} network: it has no STN")
    for name in ("stn_localiser", "canvas", "stn_s_max"):
        theirs, ours = getattr(source_config, name), getattr(config, name)
        if theirs != ours:
            raise ValueError(f"{path} has {name} {theirs!r}, this run {ours!r}: they must match")
    net.stn.load_state_dict(source.stn.state_dict())
    log.info("STN started from %s", path)


def evaluate_pairing(path: Path, data: PairingData | None = None) -> dict[str, Any]:
    """Test accuracy of saved weights at their saved threshold."""
    net, config, threshold = load(path)
    data = data if data is not None else make_data(config)
    distances = pair_distances(net, data.test)
    same = torch.from_numpy(data.test.pairs.same)
    return {
        "model": config.model,
        "test_accuracy": accuracy_at(distances, same, threshold),
        "test_pairs": len(data.test.pairs),
        "test_window": window_errors(net, data.test) if net.stn is not None else None,
        "threshold": threshold,
    }
