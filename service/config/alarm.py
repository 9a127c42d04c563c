"""``alarm:`` of a station config: when a passage's bar state raises ``bar_open_at_departure``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_OPEN_FRAMES_MIN = 2
DEFAULT_MIN_MEAN_MARGIN = -0.1


class AlarmConfig(BaseModel):
    """The per-passage alarm rule: the bar judged open over the frames around departure.

    A frame counts as open when its nearest mask is the open one by at least ``min_margin``; the
    passage raises the alarm when at least ``open_frames_min`` of its frames within
    ``departure_window`` frames of the departure frame count as open (hysteresis against a single
    misjudged frame) and the window as a whole does not lean closed: the mean of ``d_closed −
    d_open`` over its judged frames is at least ``min_mean_margin`` (two weakly open frames among
    clearly closed ones are a misjudgement, not an open bar). With ``open_share_max``, one frame
    of the window must also look like the open mask: ``d_open`` at most that share of
    ``d_open + d_closed`` (a crop unlike both masks, a little nearer the open one, raises none).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    departure_window: int = Field(
        default=3,
        ge=0,
        description="Frames either side of the departure frame that the rule looks at.",
    )
    open_frames_min: int = Field(
        default=DEFAULT_OPEN_FRAMES_MIN,
        ge=1,
        description="Frames of the window judged open needed to raise the alarm (default 2, or 1 "
        "when the window is the departure frame alone).",
    )
    min_margin: float = Field(
        default=0.0,
        ge=0.0,
        description="Distance margin (closed minus open) below which a frame is not counted "
        "as open.",
    )
    min_mean_margin: float | None = Field(
        default=DEFAULT_MIN_MEAN_MARGIN,
        ge=-2.0,
        le=2.0,
        description="Mean of d_closed - d_open over the window's judged frames below which no "
        "alarm is raised, however many frames count as open (default -0.1: a window leaning "
        "closed on the whole); null: no such condition.",
    )

    open_share_max: float | None = Field(
        default=None,
        gt=0.0,
        le=0.5,
        description="With a value, the alarm also needs a frame of the window whose distance to "
        "the open mask is at most this share of its two distances, d_open / (d_open + "
        "d_closed): the bar must look like the open mask, not merely less unlike it than the "
        "closed one (0.5: any frame judged open). Default null: no such condition.",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_fits_window(cls, data: Any) -> Any:
        window = data.get("departure_window") if isinstance(data, dict) else None
        if window == 0 and "open_frames_min" not in data:
            return {**data, "open_frames_min": 1}
        return data

    @model_validator(mode="after")
    def _reachable(self) -> AlarmConfig:
        frames = 2 * self.departure_window + 1
        if self.open_frames_min > frames:
            raise ValueError(
                f"open_frames_min ({self.open_frames_min}) exceeds the {frames} frames of a "
                f"departure_window of {self.departure_window}: the alarm could never be raised"
            )
        return self
