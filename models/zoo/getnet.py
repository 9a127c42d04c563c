"""GetNet for chairlifts: a scale-and-translate STN in front of a siamese sister network.

Yu et al. (GetNet, section III.C) put a spatial transformer in front of each branch of a siamese
network; both branches share every weight. Here one branch is the model, as for every siamese
zoo model: ``forward(x)`` = sister(STN(x)), so a registered image and a lift's mask each get
their own crop (the STN looks at each input) from the same weights, the ONNX export is the
one-branch graph image → STN → sister → embedding, and a lift's mask embeddings are still
computed once per lift.

* STN (θ = [[s, 0, tx], [0, s, ty]]): ``localiser="regress"``,
  ``models.zoo.stn.ScaleTranslateSTN`` (fully connected layers regress s and t), or
  ``"heatmap"``, ``models.zoo.stn_heatmap.HeatmapSTN`` (the window centred on a heatmap's
  soft-argmax); it starts at a window of ``stn_init_scale`` of the image (1: the identity) and
  may grow to ``stn_s_max``. Its crop is ``crop_size`` pixels (default: the input size).
* sister: ``siamese-fast``'s network (``width`` scales its channels) on the crop, a unit
  ``embedding_size`` embedding.
* training alternates (section III.D): ``begin_epoch(epoch)`` sets the phase of
  ``AlternatingSchedule(warmup, stn_epochs, joint_epochs)``; ``models.train.fit`` calls it
  before every epoch.
"""

from __future__ import annotations

import logging

import torch

from models.zoo.alternating import AlternatingSchedule, Phase, apply_phase
from models.zoo.base import ZooModel, as_size
from models.zoo.preprocess import PreprocessConfig
from models.zoo.registry import register_model
from models.zoo.siamese_fast import SiameseFast
from models.zoo.stn import S_MAX, ScaleTranslateSTN
from models.zoo.stn_heatmap import HeatmapSTN

log = logging.getLogger(__name__)


@register_model("getnet")
class GetNet(ZooModel):
    """STN (s, tx, ty) → siamese-fast sister; ``forward`` gives (N, ``embedding_size``) unit
    vectors of the STN's crops."""

    kind = "siamese"

    def __init__(
        self,
        input_size: int | tuple[int, int] = (200, 200),
        embedding_size: int = 64,
        width: float = 1.0,
        crop_size: int | tuple[int, int] | None = None,
        loc_channels: int = 16,
        stn_lr_scale: float = 0.1,
        warmup: int = 2,
        stn_epochs: int = 1,
        joint_epochs: int = 2,
        localiser: str = "regress",
        stn_init_scale: float = 1.0,
        stn_s_max: float = S_MAX,
    ) -> None:
        super().__init__()
        size = as_size(input_size)
        out = as_size(crop_size) if crop_size is not None else size
        self.schedule = AlternatingSchedule(warmup, stn_epochs, joint_epochs)
        self.stn: ScaleTranslateSTN | HeatmapSTN
        if localiser == "regress":
            self.stn = ScaleTranslateSTN(
                size,
                out,
                loc_channels,
                s_max=stn_s_max,
                lr_scale=stn_lr_scale,
                init_scale=stn_init_scale,
            )
        elif localiser == "heatmap":
            self.stn = HeatmapSTN(
                out,
                loc_channels,
                3,
                s_max=stn_s_max,
                init_scale=stn_init_scale,
                lr_scale=stn_lr_scale,
            )
        else:
            raise ValueError(f"localiser must be regress or heatmap, got {localiser!r}")
        self.sister = SiameseFast(out, embedding_size, width)
        self.phase: Phase = "joint"
        self.preprocess_config = PreprocessConfig(
            model="getnet", kind="siamese", input_size=size, embedding_size=embedding_size
        )

    def begin_epoch(self, epoch: int) -> Phase:
        """Freeze what epoch ``epoch`` (0-based) must not train; returns its phase."""
        self.phase = self.schedule.phase(epoch)
        apply_phase(self.stn, self.sister, self.phase)
        log.info("getnet epoch %d: %s phase", epoch + 1, self.phase)
        return self.phase

    def crops(self, x: torch.Tensor) -> torch.Tensor:
        """The STN's crops (N, 3, h, w) of preprocessed inputs."""
        out: torch.Tensor = self.stn(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.sister(self.stn(x))
        return out
