"""Prometheus metrics of one app: a registry of its own (never the global one), the pipeline's
state read at each scrape (:class:`~service.api.collector.PipelineCollector`), and histograms fed
by hooks on the pipeline (each inference batch: size and time; each decision: its latency).

The hooks are plain callables added to the runtime (``Runtime.add_observers``), so neither
``service.inference`` nor ``service.pipeline`` knows of Prometheus. ``attach`` adds them when the
app is built, ``detach`` removes them when it shuts down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Histogram, ProcessCollector, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from service.api.collector import PREFIX, PipelineCollector
from service.api.services import ApiServices

if TYPE_CHECKING:
    from service.inference.messages import FrameDecision

CONTENT_TYPE = CONTENT_TYPE_LATEST
BATCH_BUCKETS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64)
INFERENCE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0, 10.0)


class ApiMetrics:
    """The registry ``/metrics`` renders, and the observers that fill its histograms."""

    def __init__(self, services: ApiServices, process: bool = True) -> None:
        self.runtime = services.runtime
        self.registry = CollectorRegistry(auto_describe=False)
        self.batch_size = Histogram(
            f"{PREFIX}_inference_batch_size",
            "Crops per inference batch.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.inference_seconds = Histogram(
            f"{PREFIX}_inference_latency_seconds",
            "Time to classify one batch: preprocessing, embedding, comparison.",
            buckets=INFERENCE_BUCKETS,
            registry=self.registry,
        )
        self.decision_seconds = Histogram(
            f"{PREFIX}_frame_to_decision_seconds",
            "From a frame's capture to its bar-state decision, per station.",
            ["station"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        stations = [] if self.runtime is None else list(self.runtime.runners)
        self._per_station = {sid: self.decision_seconds.labels(sid) for sid in stations}
        self.registry.register(PipelineCollector(self.runtime, services.store))
        if process:
            ProcessCollector(registry=self.registry)
        self._attached = False

    def observe_batch(self, size: int, elapsed_ms: float) -> None:
        self.batch_size.observe(size)
        self.inference_seconds.observe(elapsed_ms / 1000.0)

    def observe_decision(self, decision: FrameDecision, latency_s: float) -> None:
        child = self._per_station.get(decision.station_id)
        if child is None:
            child = self._per_station[decision.station_id] = self.decision_seconds.labels(
                decision.station_id
            )
        child.observe(max(0.0, latency_s))

    def attach(self) -> None:
        """Hook the observers onto the runtime (once)."""
        if self.runtime is not None and not self._attached:
            self.runtime.add_observers(self.observe_batch, self.observe_decision)
            self._attached = True

    def detach(self) -> None:
        if self.runtime is not None and self._attached:
            self.runtime.remove_observers(self.observe_batch, self.observe_decision)
            self._attached = False

    def render(self) -> bytes:
        """The registry in Prometheus's text format."""
        return generate_latest(self.registry)
