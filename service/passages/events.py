"""What the passage tracker tells the rest of the pipeline: typed, frozen events.

Field names follow the replay contract of the design guide (``passage``, ``first_frame``,
``last_frame``, ``departure_frame``, ``frames``); frames are indices into the source video.
"""

from __future__ import annotations

from dataclasses import dataclass

Offset = tuple[float, float]  # frame pixels, the carrier relative to its reference position


@dataclass(frozen=True)
class PassageStarted:
    """A carrier has been registered in enough frames to be a passage."""

    passage: int
    first_frame: int
    timestamp: float  # of the first frame


@dataclass(frozen=True)
class PassageFrame:
    """One registered frame of a passage."""

    passage: int
    frame: int
    timestamp: float
    offset: Offset
    score: float


@dataclass(frozen=True)
class PassageEnded:
    """A passage is over: its frames, and the one where the carrier was at its departure point."""

    passage: int
    first_frame: int
    last_frame: int
    departure_frame: int  # the registered frame crossing the reference position (Track.departure)
    frames: tuple[int, ...]  # every registered frame of the passage, in order
    departure_timestamp: float
    departure_offset: Offset


PassageEvent = PassageStarted | PassageFrame | PassageEnded
