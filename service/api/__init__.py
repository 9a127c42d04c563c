"""The operator API: FastAPI over the alarm store, the live bus and the running pipeline.

- :mod:`service.api.settings`: :class:`Settings` (environment ``LIFTWATCH_*``), API keys.
- :mod:`service.api.app`: ``create_app(settings, services)``; :mod:`service.api.services`: the
  :class:`ApiServices` container of shared objects.
- :mod:`service.api.deps`: the ``Annotated[..., Depends(...)]`` aliases routes take
  (``StoreDep``, ``BusDep``, ``ViewerDep``, ``OperatorDep``, ...).
- :mod:`service.api.routes`: one router per resource, listed in ``ROUTERS`` (alarms, lifts and
  masks over :mod:`service.lifts`, stations, health, metrics); :mod:`service.api.schemas`: their
  request and response models.
- :mod:`service.api.metrics`: ``/metrics`` from a registry per app, histograms fed by hooks on
  the pipeline; :mod:`service.api.collector`: the pipeline's gauges and counters at each scrape.
- :mod:`service.api.server`: uvicorn in a background thread (what ``liftwatch serve`` runs).

The package imports neither torch nor the pipeline at run time (only for type checking), so the
API and its tests start fast.
"""
