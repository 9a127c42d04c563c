"""ONNX Runtime embedding throughput: siamese-fast against siamese-paper, on this machine's CPU.

    python bench/onnx_throughput.py [--batches 1,8,32] [--seconds 3] [--threads N] [--rounds 3]
                                    [--fast FAST.onnx] [--paper PAPER.onnx]

Both models are exported at their default 200×200 input (random weights unless ``--fast`` /
``--paper`` name trained exports: speed does not depend on the weights) and run by the CPU
execution provider. Each round times every (model, batch size) for ``--seconds`` after a
warm-up, models interleaved, so that both see the same machine load; the ratio is taken per
round and the median reported. Results go to stdout as JSON and a markdown table;
docs/BENCHMARKS.md records them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from models.zoo.export import OnnxModel, export_onnx
from models.zoo.flops import model_complexity
from models.zoo.registry import create_model

MODELS = ("siamese-fast", "siamese-paper")


def images_per_second(model: OnnxModel, batch: int, seconds: float) -> float:
    x = np.random.default_rng(0).standard_normal((batch, 3, *model.config.input_size))
    x = x.astype(np.float32)
    model.embed(x)  # warm-up
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or done == 0:
        model.embed(x)
        done += batch
    return done / elapsed


def load(name: str, given: str | None, tmp: Path, threads: int | None) -> OnnxModel:
    if given:
        return OnnxModel(given, providers=["CPUExecutionProvider"], threads=threads)
    path = export_onnx(create_model(name), tmp / f"{name}.onnx")
    return OnnxModel(path, providers=["CPUExecutionProvider"], threads=threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="ORT intra-op threads")
    parser.add_argument("--fast", default=None, help="a siamese-fast export to time instead")
    parser.add_argument("--paper", default=None, help="a siamese-paper export to time instead")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        given = {"siamese-fast": args.fast, "siamese-paper": args.paper}
        models = {n: load(n, given[n], Path(tmp), args.threads) for n in MODELS}
        runs: dict[str, dict[int, list[float]]] = {n: {b: [] for b in batches} for n in MODELS}
        for _ in range(args.rounds):
            for b in batches:
                for name, model in models.items():
                    runs[name][b].append(images_per_second(model, b, args.seconds))
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
        },
        "threads": args.threads,
        "macs": {n: model_complexity(n).macs for n in MODELS},
        "images_per_second": {
            n: {b: statistics.median(v) for b, v in per.items()} for n, per in runs.items()
        },
        "speed_ratio": {
            b: statistics.median(
                f / p
                for f, p in zip(runs["siamese-fast"][b], runs["siamese-paper"][b], strict=True)
            )
            for b in batches
        },
    }
    print(json.dumps(result, indent=2))
    print("\n| batch | siamese-fast img/s | siamese-paper img/s | ratio |\n|---|---|---|---|")
    for b in batches:
        fast, paper = (result["images_per_second"][n][b] for n in MODELS)
        print(f"| {b} | {fast:.0f} | {paper:.1f} | {result['speed_ratio'][b]:.1f}× |")


if __name__ == "__main__":
    main()
