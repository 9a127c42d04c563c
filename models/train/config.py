"""Training options, their defaults and why.

The paper (section 4.3) trains with SGD, Nesterov momentum 0.9, learning rate 1e-5 and a Keras
learning-rate decay of 1e-8 (``lr / (1 + decay · iterations)``), up to 1000 epochs with early
stopping on the validation set. Its tiny rate belongs to its setup (Keras, its initialisation
and its 1000 epochs); with it our runs barely move in the epochs a CPU affords. The defaults
here keep the paper's optimiser and schedule shape and pick rates that converge in tens of
epochs on the synthetic small set (measured; see ``DEFAULT_LR``):

* ``lr``: per model (``DEFAULT_LR``); 1e-3 for Adam whatever the model;
* ``lr_decay`` 1e-4 per iteration: the rate halves after 10,000 updates (about 160 epochs of
  the small set at batch 32), a gentle decay like the paper's, visible on our horizon;
* ``epochs`` 100 (maximum), ``patience`` 10 epochs without a better validation accuracy;
* ``batch_size`` 32, ``margin`` 1 (the contrastive loss of eq. 1);
* ``augment`` on: training images get small random shifts, rotations, scalings, light changes
  and noise (``models.train.augment``; the paper does not say it augments);
* ``augment_lifts`` off: when on (siamese models, with ``augment``), each image and its mask are
  warped and mirrored alike, as if from another lift (for lifts never seen in training);
* ``val_lifts`` 0: when N > 0, N of the run's lifts (the seen ones with ``train_lifts`` "seen")
  drawn from the seed are kept out of training and validate it by their masks only, as the
  unseen-lift protocol (``models.train.lifts``): early stopping and ``best.pt`` follow lifts
  the network never saw;
* ``max_minutes`` None: when set, no epoch starts that the last epoch's duration says would end
  past that many minutes of training (a budget for a shared or lent GPU); the run ends as
  after its last epoch, ``best.pt`` and ``last.pt`` written;
* ``init`` None: a checkpoint of the same model (and input size) whose weights the run starts
  from instead of a random initialisation: fine-tuning, e.g. on more or other data; the
  optimiser starts afresh;
* ``ema`` None: when set (e.g. 0.998), validation and the checkpoints use an exponential
  moving average of the weights over the updates (``models.train.ema``) instead of the last
  weights: it smooths the noisy held-out-lift validation;
* ``bn_batches`` 25: training batches used to re-estimate BatchNorm statistics before every
  validation (``models.zoo.batchnorm``), for the models that have BatchNorm;
* ``loss`` "contrastive" (eq. 1); "triplet" (siamese models): the image as anchor, its lift's
  mask of its state as positive, of the other state as negative (``models.train.triplet_task``),
  ``margin`` on squared distances;
* ``hard_mining`` off: when on (``loss`` "triplet"), ``warmup_epochs`` (5) epochs on every
  triplet, then each epoch refines on the mined hard ones, ``d(A,P) − d(A,N) > −hard_band``
  (``hard_band`` None: the margin, i.e. every triplet whose loss is not zero);
  ``balanced_mining`` takes as many open as closed anchors (the hardest of each).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

OPTIMIZERS: tuple[str, ...] = ("sgd", "adam")
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")
TRAIN_LIFTS: tuple[str, ...] = ("all", "seen")
LOSSES: tuple[str, ...] = ("contrastive", "triplet")

# SGD + Nesterov rates per model, from short CPU trials on the synthetic small set (2 to 4
# lifts): siamese-fast (BatchNorm) learns well at 0.05 (val 96.5 % after 11 epochs at 64×64);
# the paper's networks have no normalisation and a fully connected layer of 614,656 inputs at
# 200×200: classifier-paper at 200×200 reached 93 % val in 3 epochs at 1e-3 but started
# unstably at 1e-2 (loss 4.9); siamese-paper diverged (NaN) at 3e-3 and 1e-2.
DEFAULT_LR: dict[str, float] = {
    "siamese-fast": 0.05,
    "getnet": 0.05,  # siamese-fast's sister; its STN learns 10× slower (stn_lr_scale)
    "siamese-paper": 1e-3,
    "classifier-paper": 1e-3,
    "classifier-fast": 0.05,  # siamese-fast's body: val 98.25 % after 7 epochs at 200×200
    "vgg16": 0.01,
    "resnet50": 0.01,
}
FALLBACK_LR = 0.01
ADAM_LR = 1e-3
# Options a resumed run may change; any other difference from the checkpoint is refused.
RESUMABLE_CHANGES = ("epochs", "patience", "device", "threads", "resume", "max_minutes")


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run depends on (saved in its checkpoints and ``config.json``)."""

    optimizer: str = "sgd"  # one of OPTIMIZERS
    lr: float | None = None  # None: DEFAULT_LR of the model (SGD) or ADAM_LR
    lr_decay: float = 1e-4
    momentum: float = 0.9
    batch_size: int = 32
    epochs: int = 100
    patience: int = 10
    seed: int = 0
    device: str = "auto"
    input_size: int | None = None  # None: the model's default (200)
    lifts: tuple[int, ...] | None = None  # None: every lift of the data
    train_lifts: str = "all"  # "seen": the leave-lifts-out protocol's seen lifts only
    val_lifts: int = 0  # > 0: that many of the run's lifts validate by their masks, untrained
    margin: float = 1.0
    loss: str = "contrastive"  # one of LOSSES; "triplet" for siamese models only
    hard_mining: bool = False  # triplet: refine on mined hard triplets after warmup_epochs
    warmup_epochs: int = 5  # hard_mining: epochs on every triplet before the first mining
    hard_band: float | None = None  # hard_mining: d(A,P) − d(A,N) > −band is hard; None: margin
    balanced_mining: bool = False  # hard_mining: as many open as closed anchors mined
    augment: bool = True  # models.train.augment's shifts, rotations, light and noise
    augment_lifts: bool = False  # siamese: warp image and mask alike, as from another lift
    bn_batches: int = 25
    threads: int | None = None  # None: every core
    resume: bool = False
    max_minutes: float | None = None  # None: no time budget
    init: str | None = None  # a checkpoint to start from (fine-tuning); None: random weights
    ema: float | None = None  # decay of the weight average validated and saved; None: off
    model_kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks = [
            (self.optimizer in OPTIMIZERS, "optimizer", f"one of {', '.join(OPTIMIZERS)}"),
            (self.device in DEVICES, "device", f"one of {', '.join(DEVICES)}"),
            (self.train_lifts in TRAIN_LIFTS, "train_lifts", f"one of {', '.join(TRAIN_LIFTS)}"),
            (self.lr is None or self.lr > 0, "lr", "> 0"),
            (self.lr_decay >= 0, "lr_decay", ">= 0"),
            (0 <= self.momentum < 1, "momentum", "in [0, 1)"),
            (self.batch_size >= 1, "batch_size", ">= 1"),
            (self.epochs >= 1, "epochs", ">= 1"),
            (self.patience >= 1, "patience", ">= 1"),
            (self.input_size is None or self.input_size >= 8, "input_size", ">= 8"),
            (self.margin > 0, "margin", "> 0"),
            (self.loss in LOSSES, "loss", f"one of {', '.join(LOSSES)}"),
            (self.warmup_epochs >= 0, "warmup_epochs", ">= 0"),
            (self.hard_band is None or self.hard_band >= 0, "hard_band", ">= 0"),
            (self.bn_batches >= 0, "bn_batches", ">= 0"),
            (self.val_lifts >= 0, "val_lifts", ">= 0"),
            (self.max_minutes is None or self.max_minutes > 0, "max_minutes", "> 0"),
            (self.ema is None or 0 < self.ema < 1, "ema", "in (0, 1)"),
        ]
        for ok, name, wanted in checks:
            if not ok:
                raise ValueError(f"{name} must be {wanted}, got {getattr(self, name)!r}")
        if self.hard_mining and self.loss != "triplet":
            raise ValueError(
                f"hard_mining (--hard-mining) needs loss 'triplet' (--loss triplet), "
                f"got loss {self.loss!r}"
            )
        if self.balanced_mining and not self.hard_mining:
            raise ValueError(
                "balanced_mining (--balanced-mining) needs hard_mining (--hard-mining)"
            )

    def check_model_kind(self, model_name: str, kind: str) -> None:
        """Refuse a loss the model's kind cannot train with (the triplet loss needs an
        embedding: a siamese model)."""
        if self.loss == "triplet" and kind != "siamese":
            raise ValueError(
                f"loss 'triplet' (--loss triplet) needs a siamese model; {model_name} is a "
                f"{kind}, train it with the default loss"
            )

    def learning_rate(self, model_name: str) -> float:
        """The base learning rate: ``lr`` or the default for this optimiser and model."""
        if self.lr is not None:
            return self.lr
        return ADAM_LR if self.optimizer == "adam" else DEFAULT_LR.get(model_name, FALLBACK_LR)

    def build_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``create_model``."""
        kwargs = dict(self.model_kwargs)
        if self.input_size is not None:
            kwargs["input_size"] = (self.input_size, self.input_size)
        return kwargs

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lifts"] = list(self.lifts) if self.lifts is not None else None
        d["model_kwargs"] = {k: str(v) for k, v in self.model_kwargs.items()}
        return d

    def differences(self, saved: dict[str, Any]) -> list[str]:
        """Options that differ from a saved ``to_dict`` beyond ``RESUMABLE_CHANGES``."""
        now = self.to_dict()
        # an option the saved run predates ran at its default
        was = TrainConfig().to_dict() | saved
        return [
            f"{f.name}: was {was.get(f.name)!r}, now {now[f.name]!r}"
            for f in fields(self)
            if f.name not in RESUMABLE_CHANGES and was.get(f.name) != now[f.name]
        ]
