"""The pipeline's gauges and counters, read from its status at each scrape (no bookkeeping).

Counters here are the pipeline's own running totals (frames, drops, passages) and the alarm
store's counts, so they are exact and cost nothing between scrapes; a restart resets the
pipeline's, which Prometheus's ``rate()`` handles.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from service.alarms import AlarmStore, AlarmStoreError
from service.alarms.deliveries import DELIVERY_STATUSES

if TYPE_CHECKING:
    from service.pipeline.runtime import Runtime, StationStatus

logger = logging.getLogger(__name__)

PREFIX = "liftwatch"
Family = GaugeMetricFamily | CounterMetricFamily


def _gauge(name: str, doc: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", doc, labels=labels)


def _counter(name: str, doc: str, labels: list[str]) -> CounterMetricFamily:
    return CounterMetricFamily(f"{PREFIX}_{name}", doc, labels=labels)


class PipelineCollector(Collector):
    """Per station: fps, frames, drops, registration score, passages, camera, queue; the model
    and the inference queue; alarms by station and type, and the alarm outputs' deliveries
    (by status, attempts, failing or not), from the store."""

    def __init__(self, runtime: Runtime | None, store: AlarmStore) -> None:
        self.runtime = runtime
        self.store = store

    def describe(self) -> Iterator[Metric]:
        return iter(())  # nothing collected at registration time

    def collect(self) -> Iterator[Metric]:
        if self.runtime is not None:
            yield from self._stations(self.runtime)
            yield from self._inference(self.runtime)
        yield from self._alarms()
        yield from self._deliveries()

    def _stations(self, runtime: Runtime) -> Iterator[Metric]:
        st = ["station"]
        m: dict[str, Family] = {}
        m["capture_fps"] = _gauge("capture_fps", "Frames captured per second lately.", st)
        m["analysed_fps"] = _gauge("analysed_fps", "Frames analysed per second lately.", st)
        m["captured"] = _counter("frames_captured", "Frames put on the station's queue.", st)
        m["analysed"] = _counter("frames_analysed", "Frames analysed (registered or not).", st)
        m["registered"] = _counter("frames_registered", "Frames with a carrier registered.", st)
        m["dropped"] = _counter(
            "frames_dropped",
            "Frames the capture stage dropped, by reason (queue_full, corrupt, pace).",
            ["station", "reason"],
        )
        m["score"] = _gauge("registration_score", "Registration score of the last frame.", st)
        m["passages"] = _counter(
            "passages", "Passages judged, by outcome (open, closed, undecided).", [*st, "outcome"]
        )
        m["up"] = _gauge("camera_up", "1 while the camera delivers frames, else 0.", st)
        m["depth"] = _gauge("frame_queue_depth", "Frames waiting in the station's queue.", st)
        for sid, status in runtime.status().items():
            self._station(sid, status, m)
        return iter(m.values())

    @staticmethod
    def _station(sid: str, status: StationStatus, m: dict[str, Family]) -> None:
        c, a = status.capture, status.analysis
        m["capture_fps"].add_metric([sid], c.fps)
        m["analysed_fps"].add_metric([sid], status.analysed_fps)
        m["captured"].add_metric([sid], c.frames)
        m["analysed"].add_metric([sid], a.frames)
        m["registered"].add_metric([sid], a.registered)
        for reason, count in c.drops.items():
            m["dropped"].add_metric([sid, reason], count)
        if a.last_score is not None and math.isfinite(a.last_score):
            m["score"].add_metric([sid], a.last_score)
        for outcome, count in a.passages.items():
            m["passages"].add_metric([sid, outcome], count)
        m["up"].add_metric([sid], float(c.connected and not c.offline))
        m["depth"].add_metric([sid], status.queued_frames)

    def _inference(self, runtime: Runtime) -> Iterator[Metric]:
        engine = runtime.classifier.engine
        info = InfoMetricFamily(f"{PREFIX}_model", "The model the pipeline judges with.")
        info.add_metric(
            [], {"name": engine.config.model, "id": engine.model_id, "engine": engine.name}
        )
        yield info
        alive = _gauge("inference_worker_up", "1 while the inference worker runs.")
        alive.add_metric([], float(runtime.inference.is_alive()))
        yield alive
        depth = _gauge("inference_queue_depth", "Crops waiting for inference.")
        depth.add_metric([], len(runtime.requests))
        yield depth
        stats = runtime.inference.stats()
        dropped = CounterMetricFamily(
            f"{PREFIX}_inference_dropped",
            "Crops dropped by the full inference queue (the worker fell behind).",
            value=stats.dropped,
        )
        yield dropped
        failed = CounterMetricFamily(
            f"{PREFIX}_inference_failed_batches", "Batches whose inference raised.",
            value=stats.failed_batches,
        )  # fmt: skip
        yield failed
        undecided = _counter(
            "crops_without_masks", "Crops left undecided because their lift has no masks.", ["lift"]
        )
        for lift, count in runtime.classifier.skipped_unknown_lift().items():
            undecided.add_metric([lift], count)
        yield undecided
        version = _gauge(
            "lift_masks_version", "Version of the masks each lift is judged with.", ["lift"]
        )
        for lift, entry in runtime.classifier.masks.snapshot().lifts.items():
            version.add_metric([lift], entry.version)
        yield version

    def _alarms(self) -> Iterator[Metric]:
        try:
            counts = self.store.counts()
        except AlarmStoreError as exc:
            logger.warning("metrics: alarm counts unavailable: %s", exc)
            return
        labels = ["station", "type"]
        total = _counter("alarms", "Alarms raised, by station and type.", labels)
        pending = _gauge("alarms_unacknowledged", "Alarms not yet acknowledged.", labels)
        for (station, kind), (n, unacked) in sorted(counts.items()):
            total.add_metric([station, kind], n)
            pending.add_metric([station, kind], unacked)
        yield total
        yield pending

    def _deliveries(self) -> Iterator[Metric]:
        try:
            healths = self.store.delivery_health()
        except AlarmStoreError as exc:
            logger.warning("metrics: alarm deliveries unavailable: %s", exc)
            return
        labels = ["station", "output"]
        by_status = _gauge(
            "alarm_deliveries",
            "Alarm event deliveries to the station's outputs (webhook, mqtt), by status "
            "(pending, delivered, failed).",
            [*labels, "status"],
        )
        attempts = _counter(
            "alarm_delivery_attempts", "Delivery attempts made to each output.", labels
        )
        failing = _gauge(
            "alarm_output_failing",
            "1 while the output's newest delivery is being retried, or failed within the last "
            "hour; else 0.",
            labels,
        )
        for health in healths:
            key = [health.station_id, health.output]
            for status in DELIVERY_STATUSES:
                by_status.add_metric([*key, status], health.counts.get(status, 0))
            attempts.add_metric(key, health.attempts)
            failing.add_metric(key, float(health.failing))
        yield by_status
        yield attempts
        yield failing
