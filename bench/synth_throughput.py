"""Synthetic world throughput: registered images per second on one core, and video frames.

    python bench/synth_throughput.py [--images 2000] [--frames 600]

One process, OpenCV held to one thread, after a warm-up that draws every lift's scenery once
(the scenery is drawn once per lift and light and reused, as in real generation). Results go to
stdout as JSON; docs/BENCHMARKS.md records them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from models.synthetic.dataset import DatasetSpec, Job, render_job
from models.synthetic.scene import World
from models.synthetic.video import generate_station_video


def images_per_second(n: int) -> float:
    world, spec = World(0), DatasetSpec()
    lights = ("sun", "overcast", "fog", "snow", "dusk")
    for lift in spec.lifts:  # warm-up: every lift's scenery under every light
        for light in lights:
            world.background(lift, light)
    jobs = [Job(1 + i % 20, "test", i, "open" if i % 2 else "closed") for i in range(n)]
    start = time.perf_counter()
    for job in jobs:
        render_job(world, spec, job)
    return n / (time.perf_counter() - start)


def video_frames_per_second(passages: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        truth = generate_station_video(World(0), 6, passages, Path(tmp), seed=1, fps=15)
        return truth.frames / (time.perf_counter() - start), truth.frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--passages", type=int, default=10)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    runs = [images_per_second(args.images) for _ in range(3)]
    fps, frames = video_frames_per_second(args.passages)
    print(json.dumps({
        "registered_images_per_second_one_core": {"median": float(np.median(runs)),
                                                   "runs": [round(r, 1) for r in runs]},
        "images_per_run": args.images,
        "video_frames_per_second_one_core": round(fps, 1), "video_frames": frames,
        "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
