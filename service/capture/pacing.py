"""Pacing to a station's target fps.

A video file would otherwise be read as fast as it decodes: each of its frames is held back until
its turn (``delay``). A live camera delivers at its own rate: frames that come before their turn
are dropped (``admit``), with half a period of tolerance for jitter, so that a camera at 25 fps
gives 15 fps at a target of 15. Turns advance by one period per frame put out; a frame more than
half a period late puts the next turn half a period after it, rather than catching up in a burst.
"""

from __future__ import annotations


class Pacer:
    def __init__(self, fps: float, live: bool) -> None:
        if fps <= 0:
            raise ValueError(f"fps must be > 0, got {fps}")
        self.period = 1.0 / fps
        self.live = live
        self._due: float | None = None

    def reset(self) -> None:
        """Forget the schedule (a new session of the source)."""
        self._due = None

    def admit(self, now: float) -> bool:
        """Whether a live frame read at ``now`` is put out (always true for a file)."""
        return not self.live or self._due is None or now >= self._due - self.period / 2

    def delay(self, now: float) -> float:
        """Seconds to hold a file's frame read at ``now`` before putting it out (0 when live)."""
        if self.live or self._due is None:
            return 0.0
        return max(0.0, self._due - now)

    def emitted(self, now: float) -> None:
        """A frame was put out at ``now``: schedule the next turn."""
        base = now if self._due is None else self._due
        self._due = max(base + self.period, now + self.period / 2)
