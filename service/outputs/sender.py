"""The interface every output implements: open, send one event (or raise why not), close."""

from __future__ import annotations

from typing import Protocol

from service.alarms import OutputKind
from service.outputs.policy import Job


class DeliveryError(Exception):
    """One attempt failed; the message says why (an HTTP status, a timeout, no broker)."""


class Sender(Protocol):
    """Delivers alarm events of one station to one receiver; used by one thread at a time."""

    kind: OutputKind
    station_id: str

    @property
    def target(self) -> str:
        """Where it sends, for logs (no secret in it)."""
        ...

    def open(self) -> None:
        """Prepare (connect in the background); never blocks for long, never raises."""
        ...

    def send(self, job: Job) -> None:
        """Deliver ``job`` once; :class:`DeliveryError` when the receiver did not accept it."""
        ...

    def close(self) -> None:
        """Release connections and threads."""
        ...
