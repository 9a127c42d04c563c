"""Passages: a station's registered frames grouped per carrier, with its departure frame."""

from __future__ import annotations

from service.passages.events import PassageEnded, PassageEvent, PassageFrame, PassageStarted
from service.passages.tracker import PassageTracker

__all__ = ["PassageEnded", "PassageEvent", "PassageFrame", "PassageStarted", "PassageTracker"]
