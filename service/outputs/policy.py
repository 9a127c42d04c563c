"""Retrying a delivery: exponential backoff, bounded by attempts and by the event's age."""

from __future__ import annotations

from dataclasses import dataclass

from service.alarms import AlarmEvent
from service.config.outputs import RetryConfig


@dataclass(frozen=True)
class RetryPolicy:
    """Wait ``backoff_initial_s`` after the first failure, doubling up to ``backoff_max_s``;
    give up after ``max_attempts`` attempts, or rather than retry past ``max_age_s``."""

    max_attempts: int = 10
    max_age_s: float = 900.0
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0

    @classmethod
    def of(cls, config: RetryConfig) -> RetryPolicy:
        return cls(
            config.max_attempts, config.max_age_s, config.backoff_initial_s, config.backoff_max_s
        )

    def backoff(self, attempts: int) -> float:
        """The wait after the ``attempts``-th failed attempt (1-based)."""
        exponent = min(max(attempts - 1, 0), 60)
        return min(self.backoff_max_s, self.backoff_initial_s * 2.0**exponent)

    def next_wait(self, attempts: int, age_s: float) -> float | None:
        """Seconds to wait before the next attempt, or ``None``: give up now."""
        if attempts >= self.max_attempts:
            return None
        wait = self.backoff(attempts)
        return None if age_s + wait > self.max_age_s else wait

    def expired(self, age_s: float) -> bool:
        """Whether an event this old is past delivering."""
        return age_s > self.max_age_s


@dataclass
class Job:
    """One alarm event on its way to one output (its worker thread alone changes it)."""

    event: AlarmEvent
    created_at: float
    """Wall-clock seconds the event was handed over; the age bound counts from it."""
    attempts: int = 0
