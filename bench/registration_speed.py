"""Registration speed: ``Registrar.register`` on synthetic station frames, one thread.

    python bench/registration_speed.py [--lifts 2 4 7] [--passages 4] [--repeats 3]

Films a short station video per lift (640×360, the synthetic world of ``models.synthetic``),
decodes it, then times every frame's registration with OpenCV held to one thread, for the
default method (robust similarity alignment) and, for comparison, ECC's affine refinement.
Frames with a carrier found (coarse search, alignment, warp) and without (coarse search only)
are timed apart. Results go to stdout as JSON; docs/BENCHMARKS.md records them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from models.synthetic.scene import World
from models.synthetic.video import generate_station_video
from service.registration import Registrar

Array = np.ndarray


def station(
    world: World, lift: int, passages: int, out: Path
) -> tuple[dict[str, Any], Array, list[Array]]:
    generate_station_video(world, lift, passages, out, seed=1, fps=15)
    config = yaml.safe_load((out / "station.yaml").read_text())["registration"]
    capture = cv2.VideoCapture(str(out / "station.mp4"))
    frames: list[Array] = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    reference = cv2.imread(str(out / config["reference"]))
    if reference is None:
        raise RuntimeError(f"cannot read the reference of {out}")
    return config, reference, frames


def time_method(
    config: dict[str, Any], reference: Array, frames: list[Array], method: str
) -> dict[str, list[float]]:
    registrar = Registrar(
        reference,
        config["roi"],
        config["search"],
        config["crop"],
        config["min_score"],
        method=method,
    )
    registrar.register(frames[0])  # the carrier model is built on the first frame
    times: dict[str, list[float]] = {"found": [], "not_found": []}
    for frame in frames[1:]:
        start = time.perf_counter()
        result = registrar.register(frame)
        times["found" if result.found else "not_found"].append(time.perf_counter() - start)
    return times


def summary(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000.0
    mean = float(ms.mean())
    return {
        "frames": len(ms),
        "mean_ms": round(mean, 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
        "frames_per_second": round(1000.0 / mean, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifts", type=int, nargs="+", default=[2, 4, 7])
    parser.add_argument("--passages", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    world = World(0)
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        stations = [
            station(world, lift, args.passages, Path(tmp) / str(lift)) for lift in args.lifts
        ]
        for method in ("similarity", "affine"):
            times: dict[str, list[float]] = {"found": [], "not_found": []}
            for _ in range(args.repeats):
                for config, reference, frames in stations:
                    for key, values in time_method(config, reference, frames, method).items():
                        times[key] += values
            results[method] = times
    print(json.dumps({
        "registration_one_thread_640x360": {
            method: {"all": summary(t["found"] + t["not_found"]), "found": summary(t["found"]),
                     "not_found": summary(t["not_found"])}
            for method, t in results.items()
        },
        "lifts": args.lifts, "repeats": args.repeats, "opencv": cv2.__version__,
        "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
