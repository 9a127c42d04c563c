"""Exponential backoff between reopenings of a failed source."""

from __future__ import annotations


class Backoff:
    """Waits of ``initial``, ``2 * initial``, ``4 * initial``, ... capped at ``maximum``."""

    def __init__(self, initial: float, maximum: float) -> None:
        if not 0 < initial <= maximum:
            raise ValueError(f"need 0 < initial <= maximum, got {initial} and {maximum}")
        self.initial = initial
        self.maximum = maximum
        self.failures = 0

    def next_delay(self) -> float:
        """The wait after one more failure in a row."""
        delay = min(self.maximum, self.initial * 2.0 ** min(self.failures, 64))
        self.failures += 1
        return delay

    def reset(self) -> None:
        """The source works again: the next failure waits ``initial``."""
        self.failures = 0
