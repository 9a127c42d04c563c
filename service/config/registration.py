"""``registration:`` of a station config: the reference frame and where the carrier is in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from service.config.types import Box, parse_box, resolve_path


def _inside(box: Box, width: int, height: int) -> bool:
    x, y, w, h = box
    return x + w <= width and y + h <= height


class RegistrationConfig(BaseModel):
    """How frames of the station are registered onto the canonical crop."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference: Path = Field(
        description="Reference frame (an image file): an empty carrier at the departure point. "
        "Relative to the config file; must exist."
    )
    roi: Box = Field(
        description="[x, y, w, h]: the carrier's box in the reference frame, in pixels; it maps "
        "onto the crop x crop registered image the masks are drawn in."
    )
    search: Box | None = Field(
        default=None,
        description="[x, y, w, h]: the area of the frame searched for the carrier; "
        "the whole frame when absent.",
    )
    crop: int = Field(
        default=200, gt=0, le=1024, description="Side in pixels of the square registered crop."
    )
    min_score: float = Field(
        default=0.4,
        ge=0.0,
        le=1.0,
        description="Registration score below which a frame is taken to show no carrier.",
    )
    align_every_frame: bool = Field(
        default=True,
        description="Align, crop and classify every frame with a carrier. false: a carrier "
        "still farther from its departure point than the alarm window (plus 3 frames) at its "
        "speed is only tracked by its coarse position, not aligned nor classified: about twice "
        "faster, but tracking in dense traffic suffers (docs/ACCURACY.md, docs/BENCHMARKS.md).",
    )
    departure_reach: float = Field(
        default=0.1,
        gt=0.0,
        le=1.0,
        description="How near its departure point a carrier must come to be a passage, as a "
        "share of the ROI's larger side: frames of a carrier never seen there (a piece of one "
        "leaving, matched elsewhere) cannot tell how its bar was at departure, so they are "
        "neither judged nor alarmed.",
    )
    min_departure_interval_s: float = Field(
        default=1.0,
        ge=0.0,
        le=60.0,
        description="The fewest seconds between two carriers' departures on this lift (its "
        "carrier spacing over its speed, or less). A carrier found again just after it left "
        "starts no second passage. Seconds as frames are read: a video file played faster "
        "than it was filmed needs it shortened as much. 0: no limit.",
    )

    @field_validator("reference", mode="before")
    @classmethod
    def _reference_exists(cls, value: Any, info: ValidationInfo) -> Path:
        if not isinstance(value, str | Path) or not str(value).strip():
            raise ValueError("must be the path of an image file")
        path = resolve_path(value, info)
        if not path.is_file():
            raise ValueError(f"file not found: {path}")
        return path

    @field_validator("roi", "search", mode="before")
    @classmethod
    def _box(cls, value: Any) -> Box | None:
        return None if value is None else parse_box(value)

    @model_validator(mode="after")
    def _boxes_inside_reference(self) -> RegistrationConfig:
        image = cv2.imread(str(self.reference), cv2.IMREAD_UNCHANGED)
        if image is None or image.size == 0:
            raise ValueError(f"reference: not a readable image: {self.reference}")
        height, width = image.shape[:2]
        for name, box in (("roi", self.roi), ("search", self.search)):
            if box is not None and not _inside(box, width, height):
                raise ValueError(
                    f"{name}: {list(box)} goes outside the reference image ({width}x{height})"
                )
        return self
