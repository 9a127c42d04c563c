"""The shared objects the API serves: one typed container, built once, read by every route.

Routes never reach for globals: ``create_app`` puts an :class:`ApiServices` on ``app.state`` and
routes take what they need through the aliases of :mod:`service.api.deps`. To give routes a new
shared object (a mask store, a job manager...), add a field here (with a default, so existing
callers keep working) and an alias in ``deps``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from service.alarms import AlarmBus, AlarmStore, SnapshotStore
from service.jobs import JobRunner, ModelCatalog
from service.jobs.repository import JobRepository
from service.lifts import LiftRepository, LiftService

if TYPE_CHECKING:  # the pipeline pulls in torch and ONNX Runtime: only for type checking
    from service.api.settings import Settings
    from service.pipeline.runtime import Runtime

SNAPSHOT_DIR = "snapshots"
LIFTS_DIR = "lifts"


@dataclass(frozen=True)
class ApiServices:
    """The alarm store, live bus and snapshots, and the pipeline when one runs here."""

    store: AlarmStore
    bus: AlarmBus
    snapshots: SnapshotStore
    runtime: Runtime | None = None
    """The running pipeline; ``None`` when the API serves the alarms alone (``/readyz`` 503)."""
    started_at: float = field(default_factory=time.time)
    """Wall-clock seconds the service started (``/healthz`` reports the uptime)."""
    shutdown: threading.Event = field(default_factory=threading.Event)
    """Set when the server stops: long-lived responses (the SSE feed) end at once."""
    clock: Callable[[], float] = time.time
    """Wall-clock time of acknowledgements (injected by tests)."""
    lifts: LiftService | None = None
    """The lifts and their masks; ``None``: ``create_app`` makes one over
    ``<data_dir>/lifts`` (see :meth:`with_lifts`)."""
    jobs: JobRunner | None = None
    """Training and evaluation jobs; ``None``: ``create_app`` makes a runner over
    ``<data_dir>/jobs`` with records in the alarm store's database (see :meth:`with_jobs`)."""
    models: ModelCatalog | None = None
    """The model versions and activation; ``None``: made with the job runner."""

    @classmethod
    def from_runtime(cls, runtime: Runtime, lifts: LiftService | None = None) -> ApiServices:
        """The services of a running pipeline: its raiser's store, bus and snapshots."""
        raiser = runtime.raiser
        return cls(raiser.store, raiser.bus, raiser.snapshots, runtime, lifts=lifts)

    def with_lifts(self, data_dir: Path) -> ApiServices:
        """These services, with a lift service over ``data_dir/lifts`` if they have none."""
        if self.lifts is not None:
            return self
        repository = LiftRepository(data_dir / LIFTS_DIR)
        return replace(self, lifts=LiftService(repository, self.runtime))

    def with_jobs(self, data_dir: Path) -> ApiServices:
        """These services, with a job runner and model catalog over ``data_dir`` if they have
        none (the runner keeps its records in the alarm store's database)."""
        jobs = self.jobs or JobRunner(JobRepository(self.store.engine), data_dir)
        models = self.models or ModelCatalog(data_dir, jobs, self.runtime)
        return replace(self, jobs=jobs, models=models)

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiServices:
        """Services without a pipeline: the store of ``settings``, an idle bus (the caller
        closes ``store``)."""
        url = settings.database_url
        store = AlarmStore(url) if url else AlarmStore.sqlite(settings.data_dir)
        return cls(store, AlarmBus(), SnapshotStore(settings.data_dir / SNAPSHOT_DIR))
