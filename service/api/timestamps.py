"""Instants given by clients: ISO 8601 (``2026-01-02T09:30:00Z``) or epoch seconds."""

from __future__ import annotations

import math
from datetime import UTC, datetime


def parse_instant(text: str) -> float:
    """Epoch seconds of ``text``; ``ValueError`` naming the accepted forms.

    A number is epoch seconds; otherwise ISO 8601, where a time without an offset is UTC.
    """
    value = text.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a time: give ISO 8601 (2026-01-02T09:30:00Z) or epoch seconds"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    if not math.isfinite(seconds):
        raise ValueError(f"{text!r} is not a finite number of seconds")
    return seconds
