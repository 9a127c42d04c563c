"""Inference engine throughput: the shipped siamese-fast by engine and batch size.

    python bench/engine_throughput.py [--batches 1,4,8,16,32] [--repeats 5] [--seconds 1]
                                      [--threads 2] [--onnx MODEL.onnx] [--checkpoint CKPT.pt]
                                      [--json PATH]

Engines: ``onnx-cpu`` and ``torch-cpu``, plus ``onnx-cuda`` and ``torch-cuda`` where a usable
CUDA device is present (reported "not available", with the reason, elsewhere). They are built
by ``service.inference.engines.load_engine``, as the service builds them. ONNX runs the shipped
export (``models/default/siamese-fast.onnx``, or ``--onnx``); torch runs ``--checkpoint``, or,
as no torch checkpoint ships, a freshly created siamese-fast of the shipped config saved to a
temporary checkpoint (random weights: speed does not depend on them).

After a warm-up of every (engine, batch), each of ``--repeats`` rounds times every (engine,
batch) for ``--seconds`` (``onnx_throughput.images_per_second``), engines interleaved so that
all see the same machine load; the median round is reported. ``--threads`` sets ONNX Runtime's
intra-op threads and torch's thread pool. The load average before and after is recorded: a busy
machine lowers every number. Prints a markdown table; ``--json`` writes the full result.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
from pathlib import Path
from typing import Any, cast

import numpy as np
from onnx_throughput import images_per_second

from models.default import default_model_path
from models.zoo import create_model
from models.zoo.checkpoint import save_checkpoint
from models.zoo.export import OnnxModel
from service.inference.engines import Device, Engine, EngineError, EngineKind, load_engine

ENGINES: tuple[tuple[str, EngineKind, Device], ...] = (
    ("onnx-cpu", "onnx", "cpu"),
    ("torch-cpu", "torch", "cpu"),
    ("onnx-cuda", "onnx", "cuda"),
    ("torch-cuda", "torch", "cuda"),
)
WARMUP_CALLS = 3


def fresh_checkpoint(onnx_path: Path, out: Path) -> Path:
    """A siamese-fast checkpoint with the shipped export's input and embedding sizes."""
    config = OnnxModel(onnx_path, providers=["CPUExecutionProvider"], threads=1).config
    model = create_model(
        config.model, input_size=config.input_size, embedding_size=config.embedding_size
    )
    return save_checkpoint(model, out / f"{config.model}.pt")


def build(
    onnx_path: Path, checkpoint: Path, threads: int
) -> tuple[dict[str, Engine], dict[str, str]]:
    """The engines that can run here, and why the others cannot."""
    engines: dict[str, Engine] = {}
    missing: dict[str, str] = {}
    for label, kind, device in ENGINES:
        path = onnx_path if kind == "onnx" else checkpoint
        try:
            engines[label] = load_engine(kind, path, device, threads)
        except EngineError as exc:
            missing[label] = str(exc)
    return engines, missing


def warm_up(engine: Engine, batch: int) -> None:
    x = np.zeros((batch, 3, *engine.config.input_size), np.float32)
    for _ in range(WARMUP_CALLS):
        engine.embed(x)


def measure(
    engines: dict[str, Engine], batches: list[int], repeats: int, seconds: float
) -> dict[str, dict[int, list[float]]]:
    """images/s of every (engine, batch) in every round."""
    for engine in engines.values():
        for b in batches:
            warm_up(engine, b)
    runs: dict[str, dict[int, list[float]]] = {e: {b: [] for b in batches} for e in engines}
    for _ in range(repeats):
        for b in batches:
            for label, engine in engines.items():
                # images_per_second uses only .embed and .config, which every Engine has
                runs[label][b].append(images_per_second(cast(OnnxModel, engine), b, seconds))
    return runs


def table(result: dict[str, Any], batches: list[int]) -> str:
    labels = [label for label, _, _ in ENGINES]
    lines = [
        "| batch | " + " | ".join(f"{label} img/s" for label in labels) + " |",
        "|---" * (len(labels) + 1) + "|",
    ]
    speeds = result["images_per_second"]
    for b in batches:
        cells = [f"{speeds[e][b]:.0f}" if e in speeds else "not available" for e in labels]
        lines.append(f"| {b} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--batches", default="1,4,8,16,32")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds; median reported")
    parser.add_argument("--seconds", type=float, default=1.0, help="timing per (engine, batch)")
    parser.add_argument("--threads", type=int, default=2, help="ORT / torch intra-op threads")
    parser.add_argument("--onnx", type=Path, default=None, help="ONNX model (default: shipped)")
    parser.add_argument("--checkpoint", type=Path, default=None, help="torch checkpoint")
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    onnx_path = args.onnx or default_model_path()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = args.checkpoint or fresh_checkpoint(onnx_path, Path(tmp))
        engines, missing = build(onnx_path, checkpoint, args.threads)
        runs = measure(engines, batches, args.repeats, args.seconds)
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "load_average_1min": {"before": load_before[0], "after": os.getloadavg()[0]},
        },
        "threads": args.threads,
        "repeats": args.repeats,
        "seconds": args.seconds,
        "models": {label: engine.model_id for label, engine in engines.items()},
        "not_available": missing,
        "images_per_second": {
            label: {b: statistics.median(v) for b, v in per.items()} for label, per in runs.items()
        },
        "rounds": runs,
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result, batches))
    for label, reason in missing.items():
        print(f"\n{label} not available: {reason}")
    load = result["machine"]["load_average_1min"]
    print(f"\nload average (1 min) before {load['before']:.2f}, after {load['after']:.2f}")


if __name__ == "__main__":
    main()
