"""Similar alarms by hash code: the query alarm's code and its nearest alarms and stations."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.api.schemas.alarms import Alarm


class SimilarAlarm(BaseModel):
    """A past alarm and how far its code is from the query's."""

    distance: int = Field(description="Hamming distance between the two codes (differing bits).")
    alarm: Alarm


class SimilarStation(BaseModel):
    """A station's newest registered crop and how far its code is from the query's."""

    station_id: str
    distance: int = Field(description="Hamming distance between the two codes.")
    frame: int | None = Field(description="Source frame index of that crop.")
    image: str = Field(description="Where to download the newest registered crop (JPEG).")


class SimilarAlarms(BaseModel):
    """The nearest alarms to ``alarm_id``, nearest first (ties: the newer first)."""

    alarm_id: str
    code: str = Field(description="The query's code, hex (bit i = hash output i).")
    bits: int = Field(description="Code length (48).")
    model: str = Field(description="The hashing model and its weights digest.")
    candidates: int = Field(description="Other alarms with a crop that were compared.")
    items: list[SimilarAlarm]
    stations: list[SimilarStation] = Field(
        description="Running stations' newest registered crops, nearest first (empty when no "
        "pipeline runs here)."
    )
