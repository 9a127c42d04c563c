"""The per-passage alarm rule: was the bar open when the carrier left the station?

One misjudged frame must not raise (or hide) an alarm, so the rule looks at every decided frame
within ``departure_window`` frames of the departure frame and raises the alarm when at least
``open_frames_min`` of them are judged open by at least ``min_margin`` and their mean signed
margin (``d_closed − d_open``) is at least ``min_mean_margin``, and, when asked
(``open_share_max``), one of them looks like the open mask (see
:class:`~service.config.alarm.AlarmConfig`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from service.config.alarm import AlarmConfig

if TYPE_CHECKING:  # only annotations: service.inference's package imports torch (seconds)
    from service.inference.messages import FrameDecision


@dataclass(frozen=True)
class PassageVerdict:
    """The outcome of the rule for one passage.

    ``undecided`` means no frame of the window had a decision (registration lost the carrier,
    inference dropped the frames): the verdict is then ``closed`` for want of evidence, and the
    caller should log it, since a passage nobody looked at is not a passage known to be safe.
    """

    state: Literal["open", "closed"]
    alarm: bool
    open_frames: int
    """Frames of the window judged open with at least ``min_margin``."""
    judged_frames: int
    """Frames of the window that had a decision."""
    departure_decision: FrameDecision | None
    """The decided frame nearest the departure frame (the earlier one on a tie)."""
    mean_margin: float
    """Mean of ``d_closed − d_open`` over the judged frames: > 0 leans open, < 0 leans closed;
    0 when none was judged."""
    undecided: bool
    open_share: float = 1.0
    """The least ``d_open / (d_open + d_closed)`` over the judged frames: near 0 where a frame
    looks like the open mask, 0.5 where it is as far from both; 1 when none was judged."""


def counts_as_open(decision: FrameDecision, config: AlarmConfig) -> bool:
    """A frame counts as open when its nearer mask is the open one by at least ``min_margin``."""
    return decision.state == "open" and decision.margin >= config.min_margin


def open_share(decision: FrameDecision) -> float:
    """``d_open / (d_open + d_closed)``: 0 on the open mask, 0.5 as far from both, 1 on the
    closed one (0.5 when both distances are 0)."""
    total = decision.d_open + decision.d_closed
    return decision.d_open / total if total > 0 else 0.5


def window_decisions(
    decisions: Mapping[int, FrameDecision], departure_frame: int, window: int
) -> list[tuple[int, FrameDecision]]:
    """``(frame, decision)`` of frames ``departure_frame ± window`` in frame order; the frames
    without a decision are simply absent."""
    frames = range(departure_frame - window, departure_frame + window + 1)
    return [(frame, decisions[frame]) for frame in frames if frame in decisions]


def judge_passage(
    decisions: Mapping[int, FrameDecision], departure_frame: int, config: AlarmConfig
) -> PassageVerdict:
    """Apply the alarm rule to one passage's decisions (keyed by source frame index)."""
    window = window_decisions(decisions, departure_frame, config.departure_window)
    judged = [decision for _, decision in window]
    open_frames = sum(counts_as_open(decision, config) for decision in judged)
    nearest = min(window, key=lambda item: (abs(item[0] - departure_frame), item[0]), default=None)
    signed = [decision.d_closed - decision.d_open for decision in judged]
    mean_margin = sum(signed) / len(signed) if signed else 0.0
    alarm = open_frames >= config.open_frames_min  # never with no frame: open_frames_min >= 1
    if config.min_mean_margin is not None and mean_margin < config.min_mean_margin:
        alarm = False
    share = min((open_share(decision) for decision in judged), default=1.0)
    if config.open_share_max is not None and share > config.open_share_max:
        alarm = False
    return PassageVerdict(
        state="open" if alarm else "closed",
        alarm=alarm,
        open_frames=open_frames,
        judged_frames=len(judged),
        departure_decision=None if nearest is None else nearest[1],
        mean_margin=mean_margin,
        undecided=not judged,
        open_share=share,
    )
