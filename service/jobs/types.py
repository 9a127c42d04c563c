"""A job's record: what was asked, the commands it runs, and where it stands."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

JobKind = Literal["train", "evaluate", "pairing"]
JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
JOB_KINDS: tuple[JobKind, ...] = ("train", "evaluate", "pairing")
JOB_STATUSES: tuple[JobStatus, ...] = ("queued", "running", "succeeded", "failed", "cancelled")
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
INTERRUPTED = "interrupted by a restart"


@dataclass(frozen=True)
class JobRecord:
    """One job. ``params``: the validated request (model, data, options, resolved weights);
    ``commands``: the argv of each step, run in order; ``result``: what it produced (the model
    version of a train job, the accuracy table of an evaluation)."""

    id: str
    kind: JobKind
    model: str
    status: JobStatus
    params: dict[str, Any]
    commands: list[list[str]]
    created_at: float
    started_at: float | None = None
    ended_at: float | None = None
    pid: int | None = None
    step: int = 0
    error: str | None = None
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def update(self, **changes: Any) -> JobRecord:
        return replace(self, **changes)
