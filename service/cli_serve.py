"""``liftwatch serve``: every enabled station captured, analysed and alarmed in one process,
with the operator API (``service.api``) served beside it.

Settings come from ``LIFTWATCH_*`` (``service.api.settings``), the options on top. Without an
API key the API listens on loopback only: a non-loopback ``--host`` is refused (exit 2).
Station configs that fail to load are reported and skipped; the others start. Alarms are
printed as they are raised (after they are stored) and delivered to the outputs each station
configures (``outputs:``: webhook, MQTT; see ``service.outputs``). Without ``--model`` the
ONNX engine serves the model version last activated over the API
(``data_dir/models/active.json``), if any. Ctrl-C (or SIGTERM, or ``--duration``) stops the
API, then every thread; passages in progress are judged with what they have; deliveries not
made yet are resumed at the next start.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from service.cli_models import _fail, console, user_errors
from service.cli_pipeline import DeviceOpt, EngineOpt, ModelOpt, ThreadsOpt, _choice

if TYPE_CHECKING:
    from service.alarms import AlarmEvent
    from service.api.settings import Settings
    from service.config import StationConfig
    from service.pipeline.runtime import Runtime


def _stations(folder: Path, data_dir: Path) -> tuple[list[StationConfig], dict[str, Path]]:
    """The enabled stations of ``folder`` and the mask folder of each of their lifts."""
    from service.config import StationConfigError, load_station_dir, station_files
    from service.pipeline.lifts import find_masks

    try:
        configs, errors = load_station_dir(folder)
    except StationConfigError as exc:
        raise _fail(str(exc)) from exc
    for error in errors:
        console.print(f"[bold red]skipped:[/] {escape(str(error))}", soft_wrap=True)
    enabled = [c for c in configs if c.enabled]
    if not enabled:
        raise _fail(f"no enabled station in {folder} ({len(station_files(folder))} config file(s))")
    masks: dict[str, Path] = {}
    for config in enabled:
        found = find_masks(config.lift, folder / "station.yaml", data_dir)
        if found is None:
            console.print(
                f"[yellow]lift {config.lift} has no masks yet[/]: station {config.id} registers "
                f"frames but decides nothing until open.png and closed.png are in "
                f"{data_dir / 'lifts' / config.lift / 'masks'}"
            )
        else:
            masks[config.lift] = found
    return enabled, masks


def _print_alarm(event: AlarmEvent) -> None:
    r = event.record
    when = time.strftime("%H:%M:%S", time.localtime(r.raised_at))
    what = f"passage {r.passage}, frame {r.frame}" if r.passage is not None else "camera"
    colour = "red" if event.kind == "new" else "green"
    console.print(f"[{colour}]{when} {event.kind} {r.type}[/] {r.station_id} ({what}) id {r.id}")


def _watch_alarms(runtime: Runtime, stop: threading.Event) -> threading.Thread:
    subscription = runtime.raiser.bus.subscribe()

    def loop() -> None:
        while not stop.is_set():
            try:
                event = subscription.get(timeout=0.2)
            except queue.Empty:
                continue
            _print_alarm(event)

    thread = threading.Thread(target=loop, name="alarm-printer", daemon=True)
    thread.start()
    return thread


def _report(runtime: Runtime) -> None:
    for sid, s in runtime.status().items():
        c, a = s.capture, s.analysis
        score = "-" if a.last_score is None else f"{a.last_score:.2f}"
        console.print(
            f"{sid}: {c.state}, {c.fps:.1f} fps, {a.frames} frames ({a.registered} registered, "
            f"score {score}), passage {a.current_passage}, dropped {dict(c.drops)}"
        )
    p50, p99 = runtime.latency.percentile(50), runtime.latency.percentile(99)
    if p50 is not None and p99 is not None:
        console.print(f"frame-to-decision: p50 {1000 * p50:.0f} ms, p99 {1000 * p99:.0f} ms")


DATA_DIR_HELP = "Alarms, snapshots and masks (default: LIFTWATCH_DATA_DIR or data/liftwatch)."
DATABASE_HELP = "Alarm store URL (default: LIFTWATCH_DATABASE_URL, else SQLite in the data dir)."
HOST_HELP = "API address (default: LIFTWATCH_HOST or 127.0.0.1); any but loopback needs keys."
PORT_HELP = "API port (default: LIFTWATCH_PORT or 8080); 0 picks a free one."


def _settings(**overrides: object) -> Settings:
    """The settings (environment, then the options given); exit 2 when they are invalid or
    would expose the API without a key."""
    from service.api.settings import SettingsError, load_settings

    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        raise _fail(str(exc)) from exc
    problem = settings.exposure_problem()
    if problem is not None:
        raise _fail(problem)
    return settings


def serve_cmd(
    stations: Annotated[Path, typer.Option(help="Folder of station configs.")] = Path(
        "station_configs"
    ),
    data_dir: Annotated[Path | None, typer.Option(help=DATA_DIR_HELP)] = None,
    database: Annotated[str | None, typer.Option(help=DATABASE_HELP)] = None,
    host: Annotated[str | None, typer.Option(help=HOST_HELP)] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535, help=PORT_HELP)] = None,
    demo: Annotated[
        bool, typer.Option(help="Serve the demo's synthetic stations (filmed on first run).")
    ] = False,
    duration: Annotated[float, typer.Option(min=0, help="Stop after this many seconds.")] = 0,
    report_every: Annotated[float, typer.Option(min=0.5, help="Status line period (s).")] = 10,
    engine: EngineOpt = "onnx",
    model: ModelOpt = None,
    device: DeviceOpt = "auto",
    threads: ThreadsOpt = None,
) -> None:
    """Capture, analyse and alarm every enabled station, and serve the API, until stopped."""
    settings = _settings(host=host, port=port, data_dir=data_dir, database_url=database)
    if model is None and engine == "onnx":  # the version last activated over the API
        from service.jobs.catalog import active_model_path

        model = active_model_path(settings.data_dir)
        if model is not None:
            console.print(f"serving the active model version {model} (--model overrides)")
    choice = _choice(engine, model, device, threads)

    from service.alarms import AlarmBus, AlarmRaiser, AlarmStore, SnapshotStore
    from service.api.app import create_app
    from service.api.server import ApiServer
    from service.api.services import LIFTS_DIR, SNAPSHOT_DIR, ApiServices
    from service.lifts import LiftRepository, LiftService
    from service.outputs import DeliveryService
    from service.pipeline.demo import ensure_demo_stations
    from service.pipeline.models import build_classifier
    from service.pipeline.runtime import Runtime

    data_dir = settings.data_dir
    if demo:
        stations = ensure_demo_stations(data_dir / "demo-stations", progress=console.print)
    configs, masks = _stations(stations, data_dir)
    with user_errors():
        url = settings.database_url
        store = AlarmStore(url) if url else AlarmStore.sqlite(data_dir)
        raiser = AlarmRaiser(store, SnapshotStore(data_dir / SNAPSHOT_DIR), AlarmBus())
        outputs = DeliveryService.build(configs, store, raiser.bus)  # secrets from the env
        classifier = build_classifier(choice, masks)
        runtime = Runtime(configs, classifier, raiser)
        # masks found beside the station configs are served (and kept as the first version)
        # until one is uploaded into the data directory
        lifts = LiftService(LiftRepository(data_dir / LIFTS_DIR, seeds=masks), runtime)
        services = ApiServices.from_runtime(runtime, lifts)
        api = ApiServer(create_app(settings, services), settings.host, settings.port)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    printer = _watch_alarms(runtime, stop)
    engine_ = classifier.engine
    console.print(
        f"serving {len(configs)} station(s) with {engine_.model_id} on {engine_.name}; "
        f"alarms in {store.url}; Ctrl-C stops"
    )
    for line in outputs.describe():
        console.print(f"alarm output {escape(line)}")
    outputs.start()
    runtime.start()
    started = time.monotonic()
    try:
        with user_errors():
            api.start()
        console.print(f"dashboard on {api.url}/, API on {api.url}/api (see {api.url}/docs)")
        while not stop.wait(report_every if duration == 0 else min(report_every, duration)):
            _report(runtime)
            if duration and time.monotonic() - started >= duration:
                break
    finally:
        stop.set()
        api.stop()
        runtime.stop()
        outputs.stop()
        printer.join(1.0)
        _report(runtime)
        store.close()
