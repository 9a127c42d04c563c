"""The lift resource: a lift with its stations and masks, creating one, an upload, a verdict."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.config.types import Slug
from service.lifts import MASK_STATES, LiftInfo, MaskInfo, MaskState

LIFT_PREFIX = "/api/lifts"
EXAMPLE_MASK: dict[str, Any] = {
    "exists": True,
    "version": 3,
    "updated_at": 1767348000.5,
    "source": "uploaded",
    "url": f"{LIFT_PREFIX}/lift-07/masks/open",
}
EXAMPLE_LIFT: dict[str, Any] = {
    "id": "lift-07",
    "name": "Grand Col chair",
    "created_at": 1767340000.0,
    "stations": ["lift-07-bottom"],
    "masks": {"open": EXAMPLE_MASK, "closed": {**EXAMPLE_MASK, "version": 1}},
    "live_version": 4,
}


class Mask(BaseModel):
    """One of a lift's two masks."""

    exists: bool
    version: int = Field(description="1 for the first upload, +1 per upload; 0: none or shipped.")
    updated_at: float | None = Field(description="Wall-clock seconds of its last change.")
    source: Literal["uploaded", "shipped"] | None = Field(
        description="uploaded (data directory) or shipped (beside the station configs)."
    )
    url: str | None = Field(description="Where to download it (PNG); null when there is none.")

    @classmethod
    def of(cls, lift: str, info: MaskInfo) -> Mask:
        url = f"{LIFT_PREFIX}/{lift}/masks/{info.state}" if info.exists else None
        return cls(
            exists=info.exists,
            version=info.version,
            updated_at=info.updated_at,
            source=info.source,
            url=url,
        )


class Lift(BaseModel):
    """A lift: its stations running here and its two masks."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_LIFT]})

    id: str
    name: str | None
    created_at: float | None = Field(description="When it was created here (null: never).")
    stations: list[str] = Field(description="Stations of this lift the pipeline runs.")
    masks: dict[MaskState, Mask]
    live_version: int | None = Field(
        description="Version of the mask pair the running classifier judges with (it counts "
        "every swap); null when it has none or no pipeline runs."
    )

    @classmethod
    def of(cls, info: LiftInfo, stations: list[str], live_version: int | None) -> Lift:
        return cls(
            id=info.id,
            name=info.name,
            created_at=info.created_at,
            stations=stations,
            masks={s: Mask.of(info.id, info.masks[s]) for s in MASK_STATES},
            live_version=live_version,
        )


class LiftList(BaseModel):
    """Every lift: those with a folder in the data directory and those of running stations."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [EXAMPLE_LIFT]}]})

    items: list[Lift]


class LiftCreate(BaseModel):
    """A new lift."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"id": "lift-07", "name": "Grand Col chair"}]},
    )

    id: Slug = Field(description="A slug: lower-case letters, digits, '-' and '_' (64 at most).")
    name: str | None = Field(default=None, min_length=1, max_length=200)


class MaskUpload(BaseModel):
    """A stored mask, and whether the running stations judge with it already."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"lift": "lift-07", "state": "open", "version": 4, "embedded": True}]
        }
    )

    lift: str
    state: MaskState
    version: int
    embedded: bool = Field(
        description="True when the running pipeline re-embedded the lift's two masks and every "
        "station of the lift now judges with them; false when no pipeline runs here or the "
        "other mask is still missing."
    )


class MaskPairUpload(BaseModel):
    """Both masks stored, and whether the running stations judge with them already."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"lift": "lift-07", "versions": {"open": 5, "closed": 2}, "embedded": True}
            ]
        }
    )

    lift: str
    versions: dict[MaskState, int]
    embedded: bool = Field(description="As for one mask: the pair is live at every station.")


class Distances(BaseModel):
    open: float = Field(description="Distance of the crop's embedding to the open mask's.")
    closed: float = Field(description="Distance to the closed mask's.")


class Classification(BaseModel):
    """The bar state of one registered crop, as the pipeline would judge it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "lift": "lift-07",
                    "state": "open",
                    "distances": {"open": 0.21, "closed": 0.87},
                    "margin": 0.66,
                    "model": "siamese-fast@c918f4ca5d67",
                }
            ]
        }
    )

    lift: str
    state: MaskState = Field(description="The nearer mask (a tie is open).")
    distances: Distances
    margin: float = Field(description="|open − closed|: how sure the decision is.")
    model: str = Field(description="The model that judged: name@weights-hash.")
