"""The inference path saturated: registered crops as fast as the worker takes them, against the
raw engine.

    python bench/inference_saturation.py [--stations 6] [--batches 1,4,8,16] [--seconds 10]
                                         [--warmup 2] [--threads 1] [--wait-ms 10]
                                         [--crops 200] [--videos data/stations] [--json PATH]

``bench/pipeline_e2e.py --saturate`` measures the whole pipeline at saturation: decoding,
registration and tracking of every frame come first, and on two CPU cores they, not the engine,
set the pace. This benchmark isolates the part the engine serves, to show how much of the
engine's raw throughput the serving path keeps: the crops of N stations (registered once,
beforehand, by replaying the synthetic station videos of lifts 1..N under ``--videos``) are put
by N producer threads on the drop-oldest request queue of the service's ``InferenceWorker``
(``service.inference.worker``), kept between half full and full so that nothing is dropped. The
worker batches them (up to ``--batch``, within ``--wait-ms``), preprocesses each crop, embeds
the batch with ONNX Runtime on the CPU and compares every embedding with its lift's cached mask
embeddings, as in ``liftwatch serve``. Decisions per second over ``--seconds`` (after
``--warmup``) are compared with the engine's raw throughput at the same batch size and threads,
timed in the same process just before (``pipeline_e2e.engine_throughput``: preprocessed
batches, embedding only).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_e2e import engine_throughput, station_configs

from service.capture.drop_queue import DropOldestQueue
from service.inference import CropClassifier
from service.inference.messages import CropRequest, FrameDecision
from service.inference.worker import InferenceWorker
from service.pipeline.harvest import RecordingClassifier
from service.pipeline.models import EngineChoice, build_classifier
from service.pipeline.replay import replay

QUEUE_SIZE = 64
NAP_S = 0.01


@dataclass(frozen=True)
class SaturationResult:
    batch: int
    engine_crops_per_s: float
    decided_per_s: float
    ratio: float
    mean_batch: float
    dropped: int
    cpu_cores: float


def registered_crops(
    classifier: CropClassifier, videos: Path, n: int, tmp: Path, limit: int
) -> list[tuple[str, str, list[np.ndarray]]]:
    """(station id, lift, up to ``limit`` registered crops) of each of the N station videos."""
    out = []
    for config, _ in station_configs(videos, n, 15.0, tmp):
        recorder = RecordingClassifier(classifier)
        replay(config, recorder)
        frames = sorted(recorder.crops)[:limit]
        crops = [
            cv2.imdecode(np.frombuffer(recorder.crops[f], np.uint8), cv2.IMREAD_COLOR)
            for f in frames
        ]
        out.append((config.id, config.lift, crops))
        print(f"{config.id}: {len(crops)} registered crops", flush=True)
    return out


def produce(
    station: str,
    lift: str,
    crops: list[np.ndarray],
    requests: DropOldestQueue[CropRequest],
    stop: threading.Event,
) -> None:
    """Top ``requests`` up with this station's crops, round and round, never past full: while
    it is at least half full, sleep ``NAP_S`` (a busy loop would take the worker's GIL)."""
    k = 0
    while not stop.is_set():
        if len(requests) >= requests.maxsize // 2:
            time.sleep(NAP_S)
            continue
        requests.put(CropRequest(station, lift, k, time.time(), crops[k % len(crops)]))
        k += 1


def saturate(
    classifier: CropClassifier,
    stations: list[tuple[str, str, list[np.ndarray]]],
    batch: int,
    args: argparse.Namespace,
) -> tuple[float, float, int, float]:
    """(decisions/s, mean batch, requests dropped, CPU cores) with every station producing."""
    requests: DropOldestQueue[CropRequest] = DropOldestQueue(QUEUE_SIZE)
    stop, worker_stop = threading.Event(), threading.Event()
    decided = [0]

    def count(_: FrameDecision) -> None:
        decided[0] += 1

    worker = InferenceWorker(
        classifier, requests, count, worker_stop, max_batch=batch, max_wait_ms=args.wait_ms
    )
    producers = [
        threading.Thread(target=produce, args=(s, lift, crops, requests, stop), daemon=True)
        for s, lift, crops in stations
    ]
    worker.start()
    for p in producers:
        p.start()
    time.sleep(args.warmup)
    n0, stats0, cpu0, t0 = decided[0], worker.stats(), time.process_time(), time.perf_counter()
    time.sleep(args.seconds)
    n1, stats1, cpu1, t1 = decided[0], worker.stats(), time.process_time(), time.perf_counter()
    stop.set()
    for p in producers:
        p.join()
    worker_stop.set()
    worker.join()
    batches = stats1.batches - stats0.batches
    mean_batch = (stats1.decisions - stats0.decisions) / max(1, batches)
    wall = t1 - t0
    return (n1 - n0) / wall, mean_batch, stats1.dropped, (cpu1 - cpu0) / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=6)
    parser.add_argument("--batches", default="1,4,8,16")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime intra-op threads")
    parser.add_argument("--wait-ms", type=float, default=10.0)
    parser.add_argument("--crops", type=int, default=200, help="crops kept per station")
    parser.add_argument("--videos", default="data/stations")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    load_before = os.getloadavg()
    results: list[SaturationResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        configs = station_configs(Path(args.videos), args.stations, 15.0, Path(tmp))
        masks = {c.lift: folder / "masks" for c, folder in configs}
        classifier = build_classifier(EngineChoice("onnx", None, "cpu", args.threads), masks)
        stations = registered_crops(
            classifier, Path(args.videos), args.stations, Path(tmp), args.crops
        )
    for batch in (int(b) for b in args.batches.split(",")):
        args.batch = batch
        raw = engine_throughput(args)
        rate, mean_batch, dropped, cpu = saturate(classifier, stations, batch, args)
        result = SaturationResult(
            batch,
            round(raw, 1),
            round(rate, 1),
            round(rate / raw, 3),
            round(mean_batch, 2),
            dropped,
            round(cpu, 2),
        )
        results.append(result)
        print(result, flush=True)
    print(
        "| max batch | raw engine crops/s | decided/s through the worker | ratio | mean batch "
        "| dropped | CPU cores |\n|---|---|---|---|---|---|---|"
    )
    for r in results:
        print(
            f"| {r.batch} | {r.engine_crops_per_s} | {r.decided_per_s} | {r.ratio} "
            f"| {r.mean_batch} | {r.dropped} | {r.cpu_cores} |"
        )
    load_after = os.getloadavg()
    print(f"load average before {load_before}, after {load_after}")
    if args.json:
        report: dict[str, Any] = {
            "cpus": os.cpu_count(),
            "args": vars(args),
            "results": [asdict(r) for r in results],
            "load_before": load_before,
            "load_after": load_after,
        }
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
