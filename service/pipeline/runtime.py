"""The whole real-time pipeline in one process: what ``liftwatch serve`` runs.

Per enabled station: a capture worker thread (``service.capture``) and a station thread
(:class:`StationRunner`: registration, passages, alarm rule); one inference worker thread for
all stations (``service.inference``: batches crops, embeds them, compares them with the lift's
cached mask embeddings) that routes each decision back to its station. Alarms go through the
:class:`~service.alarms.AlarmRaiser` (snapshots, durable store, then the live bus); the capture
workers' ``camera_offline`` events go there too.

For the API: ``status()`` (per station), ``latest(station)`` (newest frame and crop, by
reference), ``stations_of(lift)``, and ``add_observers``/``remove_observers`` that hook metrics
onto every batch (size, ms) and every decision (frame-to-decision latency).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.alarms import AlarmRaiser, PassageVerdict
from service.capture import (
    CaptureStatus,
    CaptureWorker,
    DropOldestQueue,
    SourceFactory,
    opencv_source,
)
from service.capture.messages import CameraEvent, Frame
from service.config import StationConfig
from service.inference import BatchObserver, CropClassifier, InferenceWorker
from service.inference.heatmap import CropHeatmapper
from service.inference.messages import CropRequest, FrameDecision
from service.pipeline.build import registrar_for
from service.pipeline.latency import LatencyWindow
from service.pipeline.recent import Kept
from service.pipeline.results import PassageResult
from service.pipeline.runner import DecisionObserver, StationRunner
from service.pipeline.station import LatestImages, StationAnalyser, StationState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RuntimeOptions:
    """Batching of the inference worker and the analysers' patience."""

    max_batch: int = 8
    max_wait_ms: float = 10.0
    request_queue: int = 32
    """Crops waiting for inference, all stations: when the worker falls behind, the oldest
    go (and are counted) rather than every decision coming later and later."""
    decision_timeout_s: float = 5.0
    """How long an ended passage waits for the decisions of its departure window."""


@dataclass(frozen=True)
class StationStatus:
    capture: CaptureStatus
    analysis: StationState
    analysed_fps: float = 0.0
    """Frames analysed (registered or not) per second lately."""
    queued_frames: int = 0
    """Frames waiting in the station's capture queue."""


class RaiserSink:
    """The analysers' alarm sink: a passage's alarm, with its departure snapshots, raised."""

    def __init__(self, raiser: AlarmRaiser, clock: Callable[[], float]) -> None:
        self.raiser, self.clock = raiser, clock

    def __call__(
        self,
        analyser: StationAnalyser,
        result: PassageResult,
        verdict: PassageVerdict,
        departure: Kept | None,
    ) -> str | None:
        record = self.raiser.bar_open(
            analyser.config.id,
            analyser.config.lift,
            verdict,
            result.passage,
            result.departure_frame,
            None if departure is None else departure.crop,
            None if departure is None else departure.image,
            self.clock(),
        )
        return record.id


class Runtime:
    """Starts, runs and stops every station of ``configs`` around one inference worker."""

    def __init__(
        self,
        configs: Sequence[StationConfig],
        classifier: CropClassifier,
        raiser: AlarmRaiser,
        *,
        options: RuntimeOptions | None = None,
        source_factory: SourceFactory = opencv_source,
        on_result: Callable[[StationConfig, PassageResult], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.options = options or RuntimeOptions()
        self.clock = clock or time.time
        self.stop_event = threading.Event()
        self.classifier = classifier
        self.raiser = raiser
        if raiser.heatmap is None:  # bar alarms get the active model's Dist-CAM of their crop
            raiser.heatmap = CropHeatmapper(classifier)
        self.requests: DropOldestQueue[CropRequest] = DropOldestQueue(self.options.request_queue)
        self.latency = LatencyWindow()
        raiser.station_lifts.update({c.id: c.lift for c in configs})  # for camera_offline
        sink = RaiserSink(raiser, self.clock)
        self.captures: dict[str, CaptureWorker] = {}
        self.runners: dict[str, StationRunner] = {}
        for config in configs:
            frames: DropOldestQueue[Frame] = DropOldestQueue(config.capture.queue_size)
            self.captures[config.id] = CaptureWorker(
                config,
                frames,
                self.stop_event,
                source_factory=source_factory,
                on_event=self._camera_event,
            )
            analyser = StationAnalyser(
                config,
                registrar_for(config),
                alarm_sink=sink,
                decision_timeout_s=self.options.decision_timeout_s,
                clock=self.clock,
            )
            handler = None if on_result is None else _bind(on_result, config)
            self.runners[config.id] = StationRunner(
                analyser,
                frames,
                self.requests,
                self.stop_event,
                on_result=handler,
                latency=self.latency,
            )
        self.inference = InferenceWorker(
            classifier,
            self.requests,
            self._route,
            self.stop_event,
            max_batch=self.options.max_batch,
            max_wait_ms=self.options.max_wait_ms,
        )

    def _camera_event(self, event: CameraEvent) -> None:
        self.raiser.camera_event(event)

    def _route(self, decision: FrameDecision) -> None:
        runner = self.runners.get(decision.station_id)
        if runner is not None:
            runner.deliver(decision)

    def start(self) -> None:
        self.inference.start()
        for runner in self.runners.values():
            runner.start()
        for capture in self.captures.values():
            capture.start()
        logger.info("pipeline running: %d station(s)", len(self.runners))

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every thread; passages in progress are judged with what they have."""
        self.stop_event.set()
        for capture in self.captures.values():
            capture.join(timeout)
        for runner in self.runners.values():
            runner.join(timeout)
        self.inference.join(timeout)
        logger.info("pipeline stopped")

    def status(self) -> dict[str, StationStatus]:
        return {sid: self.station_status(sid) for sid in self.runners}

    def station_status(self, station_id: str) -> StationStatus:
        """One station's status; ``KeyError`` for an unknown station."""
        runner = self.runners[station_id]
        return StationStatus(
            self.captures[station_id].status(),
            runner.analyser.state(),
            runner.analysed.rate(),
            len(runner.frames),
        )

    def latest(self, station_id: str) -> LatestImages:
        """The station's newest frame and registered crop (the pipeline's own arrays: read
        only); ``KeyError`` for an unknown station."""
        return self.runners[station_id].analyser.latest()

    def stations_of(self, lift: str) -> list[str]:
        """The stations filming ``lift``, sorted."""
        return sorted(s for s, r in self.runners.items() if r.analyser.config.lift == lift)

    def add_observers(
        self, batch: BatchObserver | None = None, decision: DecisionObserver | None = None
    ) -> None:
        """Hook ``batch`` onto the inference worker and ``decision`` onto every station."""
        if batch is not None:
            self.inference.add_observer(batch)
        if decision is not None:
            for runner in self.runners.values():
                runner.add_observer(decision)

    def remove_observers(
        self, batch: BatchObserver | None = None, decision: DecisionObserver | None = None
    ) -> None:
        if batch is not None:
            self.inference.remove_observer(batch)
        if decision is not None:
            for runner in self.runners.values():
                runner.remove_observer(decision)


def _bind(
    handler: Callable[[StationConfig, PassageResult], None], config: StationConfig
) -> Callable[[PassageResult], None]:
    def bound(result: PassageResult) -> None:
        handler(config, result)

    return bound
