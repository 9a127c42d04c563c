"""The job resource: train and evaluate requests, a job with its progress and result."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
)

from service.jobs import JobKind, JobRecord, JobStatus

JOB_PREFIX = "/api/jobs"
JOB_ID_PATTERN = "^[0-9a-f]{32}$"
MAX_MODEL_ARGS = 16
MODEL_ARG_NAME = re.compile(r"[a-z_][a-z0-9_]{0,39}")
DATA_DESCRIPTION = (
    "A synthetic preset, synthetic:small|large[:seed=N,lifts=N,train_scale=F,test_scale=F,...], "
    "or a data-set directory (written by `liftwatch synth dataset`) inside the data directory, "
    "relative to it."
)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(
        max_length=64, description="A registered model name.", examples=["siamese-fast"]
    )
    data: str = Field(
        max_length=300,
        description=DATA_DESCRIPTION,
        examples=["synthetic:small:lifts=2,test_scale=0.05"],
    )
    workers: int = Field(default=1, ge=1, le=8, description="Data generation processes.")


class TrainRequest(_Request):
    """``liftwatch train`` options a job may set; the job then exports ``model.onnx``."""

    epochs: int = Field(default=10, ge=1, le=1000, description="Maximum number of epochs.")
    batch_size: int = Field(default=32, ge=1, le=512)
    input_size: int | None = Field(
        default=None, ge=8, le=512, description="Square input side (default: the model's)."
    )
    lr: float | None = Field(default=None, gt=0, le=10, description="Base learning rate.")
    optimizer: Literal["sgd", "adam"] = "sgd"
    patience: int = Field(default=10, ge=1, le=1000, description="Epochs without a better val.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    augment: bool = Field(default=True, description="Random shifts, light and noise.")
    augment_lifts: bool = Field(
        default=False,
        description="Siamese: warp and mirror image and mask alike, as if from another lift.",
    )
    train_lifts: Literal["all", "seen"] = Field(
        default="all", description="all, or seen: the leave-lifts-out protocol's 15 lifts."
    )
    val_lifts: int = Field(
        default=0,
        ge=0,
        le=198,
        description="Lifts of the run (with train_lifts seen: of the seen ones) held out of "
        "training to validate on, by their masks only.",
    )
    max_minutes: float | None = Field(
        default=None,
        gt=0,
        le=7 * 24 * 60,
        description="Time budget: no epoch starts that would end past it.",
    )
    ema: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="Validate and save a moving average of the weights with this decay per "
        "update (e.g. 0.998) instead of the last weights.",
    )
    threads: int | None = Field(default=None, ge=1, le=64, description="Torch threads.")
    loss: Literal["contrastive", "triplet"] = Field(
        default="contrastive",
        description="contrastive (eq. 1), or triplet (siamese models): image anchor, its lift's "
        "mask of its state positive, of the other state negative.",
    )
    margin: float | None = Field(
        default=None, gt=0, le=100, description="Loss margin (default 1; triplet: squared)."
    )
    hard_mining: bool = Field(
        default=False,
        description="With loss triplet: after warmup_epochs, train each epoch on the mined hard "
        "triplets only, d(A,P) - d(A,N) > -hard_band.",
    )
    warmup_epochs: int | None = Field(
        default=None, ge=0, le=1000, description="hard_mining: epochs on every triplet first (5)."
    )
    hard_band: float | None = Field(
        default=None, ge=0, le=100, description="hard_mining: the miner's band (the margin)."
    )

    balanced_mining: bool = Field(
        default=False, description="hard_mining: mine as many open as closed images."
    )
    model_args: dict[str, StrictBool | StrictInt | StrictFloat | StrictStr] = Field(
        default_factory=dict,
        description="Constructor arguments of the model (`liftwatch train --model-arg`), e.g. "
        '{"localiser": "heatmap", "stn_s_max": 0.95} for getnet; each checked against the '
        "model's signature and the type of its default.",
        examples=[{"localiser": "heatmap"}],
    )

    @field_validator("model_args")
    @classmethod
    def _model_args_shape(
        cls, value: dict[str, bool | int | float | str]
    ) -> dict[str, bool | int | float | str]:
        if len(value) > MAX_MODEL_ARGS:
            raise ValueError(f"at most {MAX_MODEL_ARGS} model_args")
        for key, item in value.items():
            if not MODEL_ARG_NAME.fullmatch(key):
                raise ValueError(f"model_args: {key[:40]!r} is not an argument name")
            if isinstance(item, str) and not 0 < len(item) <= 64:
                raise ValueError(f"model_args.{key}: 1 to 64 characters")
        return value

    @field_validator("hard_mining")
    @classmethod
    def _mining_needs_triplet(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("loss") != "triplet":
            raise ValueError("hard_mining needs loss 'triplet'")
        return value

    @field_validator("balanced_mining")
    @classmethod
    def _balance_needs_mining(cls, value: bool, info: ValidationInfo) -> bool:
        if value and not info.data.get("hard_mining"):
            raise ValueError("balanced_mining needs hard_mining")
        return value


class EvaluateRequest(_Request):
    """``liftwatch evaluate`` of a train job's weights or of a model version."""

    weights: str = Field(
        max_length=128,
        description="A succeeded train job's id (its best.pt) or a model version "
        "(GET /api/models).",
        examples=["siamese-fast@c918f4ca5d67"],
    )
    split: Literal["train", "val", "test"] = "test"
    unseen: bool = Field(default=False, description="Only the held-out lifts, by masks.")
    lifts: str | None = Field(
        default=None, pattern=r"^[0-9][0-9,\-]{0,99}$", description="Lift subset, e.g. 1,2,7-9."
    )


class Job(BaseModel):
    """A job: what it runs, where it stands, what it produced."""

    id: str
    kind: JobKind
    model: str
    status: JobStatus = Field(description="queued, running, succeeded, failed or cancelled.")
    params: dict[str, Any] = Field(description="The validated request.")
    commands: list[str] = Field(description="The command line of each step.")
    created: float = Field(description="Wall-clock seconds.")
    started: float | None = None
    ended: float | None = None
    error: str | None = None
    progress: dict[str, Any] = Field(
        description="step/steps; training: epoch, epochs, loss, val_accuracy, best_val_accuracy."
    )
    result: dict[str, Any] = Field(
        description="train: version and model_path of its export; evaluate: accuracy "
        "(accuracy.json) and markdown (accuracy.md); pairing: test_accuracy, test_pairs, "
        "val_accuracy, keep, kept_epoch, best_epoch, keep_rules (the best validation epoch's, "
        "the final epoch's and the averaged weights' accuracies, whichever is kept), "
        "threshold, test_window, seconds and, for getnet, crops (the picture of its STN crops, "
        "a path in the job's output)."
    )

    @classmethod
    def of(cls, record: JobRecord, progress: dict[str, Any]) -> Job:
        return cls(
            id=record.id,
            kind=record.kind,
            model=record.model,
            status=record.status,
            params=record.params,
            commands=[" ".join(argv) for argv in record.commands],
            created=record.created_at,
            started=record.started_at,
            ended=record.ended_at,
            error=record.error,
            progress=progress,
            result=record.result,
        )


class JobList(BaseModel):
    items: list[Job] = Field(description="Newest first.")
