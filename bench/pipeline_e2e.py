"""End to end: N synthetic stations at 15 fps through the whole pipeline, on this machine.

    python bench/pipeline_e2e.py [--stations 1,2,3,4] [--seconds 20] [--warmup 5] [--fps 15]
                                 [--threads 1] [--batch 8] [--wait-ms 10] [--json PATH]
                                 [--videos data/stations] [--align-near]

Each run starts ``liftwatch serve``'s runtime (``service.pipeline.runtime.Runtime``: a capture
thread and a station thread per station, one batched inference worker) on N station configs
whose looping video files are the synthetic station videos under ``--videos`` (one lift per
station, ``L01``, ``L02``, ...; film them with ``scripts/pipeline_accuracy.sh`` or ``liftwatch
synth video``), the capture paced to ``--fps``. After ``--warmup`` seconds it measures for
``--seconds``: analysed frames per second (all stations), crops decided per second,
frame-to-decision latency p50 and p99 (capture time to decision), frames dropped (capture
queues and the inference queue), CPU used (process CPU seconds per second: 2.0 is both cores
of this machine) and peak resident memory.

A station count is *sustained* when the stations are analysed at >= 95 % of the frames they
deliver and no more than 1 % of frames are dropped. ``--saturate`` adds a run of the largest N
at 120 fps, and compares the crops decided per second with the engine's raw throughput at the
same batch size and threads, timed in the same process just before (``--saturate`` only).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from service.alarms import AlarmBus, AlarmRaiser, AlarmStore, SnapshotStore
from service.config import StationConfig, load_station_config
from service.inference import load_engine
from service.pipeline.models import EngineChoice, build_classifier
from service.pipeline.runtime import Runtime, RuntimeOptions


@dataclass(frozen=True)
class RunResult:
    stations: int
    fps: float
    seconds: float
    delivered_fps: float
    analysed_fps: float
    decided_per_s: float
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    dropped_frames: int
    dropped_share: float
    cpu_cores: float
    peak_rss_mib: float
    mean_batch: float
    sustained: bool


def station_configs(
    videos: Path, n: int, fps: float, out: Path, align_every_frame: bool = True
) -> list[tuple[StationConfig, Path]]:
    """N configs over the station videos of lifts 1..N (ids ``bench-01``..., looping), each
    with its station folder."""
    configs = []
    for k in range(1, n + 1):
        folder = videos / f"L{(k - 1) % 20 + 1:02d}"
        if not (folder / "station.yaml").is_file():
            sys.exit(f"no station video in {folder}: run scripts/pipeline_accuracy.sh first")
        data = yaml.safe_load((folder / "station.yaml").read_text())
        data["id"], data["fps"] = f"bench-{k:02d}", fps
        data["source"] = str((folder / data["source"]).resolve())
        data["registration"]["reference"] = str((folder / "reference.png").resolve())
        data["capture"] = {"loop": True, "queue_size": 8}
        data["registration"]["align_every_frame"] = align_every_frame
        path = out / f"bench-{k:02d}.yaml"
        path.write_text(yaml.safe_dump(data))
        configs.append((load_station_config(path), folder))
    return configs


def _totals(runtime: Runtime) -> tuple[int, int, int, int]:
    """(frames delivered, frames analysed, crops decided, frames dropped) so far."""
    status = runtime.status().values()
    delivered = sum(s.capture.frames for s in status)
    analysed = sum(s.analysis.frames for s in status)
    drops = sum(sum(s.capture.drops.values()) for s in status)
    stats = runtime.inference.stats()
    return delivered, analysed, stats.decisions, drops + stats.dropped


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(args: argparse.Namespace, n: int, fps: float, tmp: Path) -> RunResult:
    stations = station_configs(Path(args.videos), n, fps, tmp, not args.align_near)
    configs = [c for c, _ in stations]
    masks = {c.lift: folder / "masks" for c, folder in stations}
    classifier = build_classifier(EngineChoice("onnx", None, "cpu", args.threads), masks)
    store = AlarmStore.sqlite(tmp / f"data-{n}-{fps:g}")
    raiser = AlarmRaiser(store, SnapshotStore(tmp / f"snap-{n}-{fps:g}"), AlarmBus())
    options = RuntimeOptions(max_batch=args.batch, max_wait_ms=args.wait_ms)
    runtime = Runtime(configs, classifier, raiser, options=options)
    runtime.start()
    time.sleep(args.warmup)
    runtime.latency.clear()
    before, cpu0, t0 = _totals(runtime), _cpu(), time.perf_counter()
    time.sleep(args.seconds)
    after, cpu1, t1 = _totals(runtime), _cpu(), time.perf_counter()
    p50, p99 = runtime.latency.percentile(50), runtime.latency.percentile(99)
    stats = runtime.inference.stats()
    runtime.stop()
    store.close()
    wall = t1 - t0
    delivered, analysed, decided, dropped = (a - b for a, b in zip(after, before, strict=True))
    share = dropped / max(1, delivered + dropped)
    analysed_fps = analysed / wall
    return RunResult(
        stations=n,
        fps=fps,
        seconds=round(wall, 2),
        delivered_fps=round(delivered / wall, 1),
        analysed_fps=round(analysed_fps, 1),
        decided_per_s=round(decided / wall, 1),
        latency_p50_ms=None if p50 is None else round(1000 * p50, 1),
        latency_p99_ms=None if p99 is None else round(1000 * p99, 1),
        dropped_frames=dropped,
        dropped_share=round(share, 4),
        cpu_cores=round((cpu1 - cpu0) / wall, 2),
        peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        mean_batch=round(stats.mean_batch_size, 2),
        sustained=analysed_fps >= 0.95 * n * fps and share <= 0.01,
    )


def engine_throughput(args: argparse.Namespace) -> float:
    """Raw crops/s of the same engine at the same batch size and threads (median of 5 x 2 s)."""
    engine = load_engine("onnx", None, "cpu", args.threads)
    x = np.random.default_rng(0).standard_normal((args.batch, 3, *engine.config.input_size))
    x = x.astype(np.float32)
    engine.embed(x)
    rates = []
    for _ in range(5):
        done, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < 2.0:
            engine.embed(x)
            done += args.batch
        rates.append(done / elapsed)
    return statistics.median(rates)


def table(results: list[RunResult]) -> str:
    head = (
        "| stations × fps | analysed fps | decided/s | p50 ms | p99 ms | dropped | CPU cores "
        "| peak RSS MiB | mean batch | real time |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    rows = [
        f"| {r.stations} × {r.fps:g} | {r.analysed_fps} | {r.decided_per_s} | {r.latency_p50_ms} "
        f"| {r.latency_p99_ms} | {r.dropped_frames} ({100 * r.dropped_share:.1f} %) "
        f"| {r.cpu_cores} | {r.peak_rss_mib} | {r.mean_batch} | {'yes' if r.sustained else 'no'} |"
        for r in results
    ]
    return "\n".join([head, *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", default="1,2,3,4")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--fps", type=float, default=15.0)
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime intra-op threads")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--wait-ms", type=float, default=10.0)
    parser.add_argument("--videos", default="data/stations")
    parser.add_argument("--saturate", action="store_true")
    parser.add_argument(
        "--align-near",
        action="store_true",
        help="registration.align_every_frame false: align and classify near departure only",
    )
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    counts = [int(v) for v in args.stations.split(",")]
    load_before = os.getloadavg()
    results: list[RunResult] = []
    report: dict[str, Any] = {"cpus": os.cpu_count(), "args": vars(args)}
    with tempfile.TemporaryDirectory() as tmp:
        for n in counts:
            results.append(run(args, n, args.fps, Path(tmp)))
            print(table(results[-1:]).splitlines()[-1], flush=True)
        if args.saturate:
            raw = engine_throughput(args)
            saturated = run(args, max(counts), 120.0, Path(tmp))
            results.append(saturated)
            report["engine_crops_per_s"] = round(raw, 1)
            report["saturated_ratio"] = round(saturated.decided_per_s / raw, 3)
    sustained = [r.stations for r in results if r.sustained and r.fps == args.fps]
    report.update(
        runs=[asdict(r) for r in results],
        sustained_stations=max(sustained, default=0),
        load_before=load_before,
        load_after=os.getloadavg(),
    )
    print(table(results))
    print(f"sustained in real time: {report['sustained_stations']} station(s) at {args.fps:g} fps")
    if args.saturate:
        print(
            f"saturated: {results[-1].decided_per_s} crops/s end to end against "
            f"{report['engine_crops_per_s']} raw engine crops/s "
            f"(ratio {report['saturated_ratio']})"
        )
    print(f"load average before {load_before}, after {report['load_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
