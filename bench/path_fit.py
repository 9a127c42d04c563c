"""The learned carrier path's fit to a track, by the track's length; and its learning.

    python bench/path_fit.py [--lengths 30 100 200 300] [--repeats 200]

The passage tracker fits the lift's learned path (``service.passages.path.CarrierPath``) to
the followed track after every registered frame, so its cost grows with the track. A path is
learned from three clean passages, then ``fit`` is timed on tracks of each length, 15 frames
past the departure: a carrier on the path for its last 60 frames, what came before registered
on something still (the
frames a dense lift's tracks start with). Milliseconds per fit, median of ``repeats``, as JSON
on stdout; docs/BENCHMARKS.md records them. Also timed: learning one more passage once the
path remembers ``MEMORY`` of them, and the path fit again (once per passage ended; the
remembered passages' departures are taken again on the path, ``ALIGN_ROUNDS`` times at most),
each passage given a departure a few frames off.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from service.passages.events import Offset
from service.passages.path import MEMORY, SPAN, CarrierPath


def along(dt: int) -> Offset:
    """A lift's path: the carrier speeds up as it nears the camera."""
    x = -2.0 * dt - 0.02 * dt * dt
    return x, 0.2 * x


def learned() -> CarrierPath:
    path = CarrierPath()
    for departure in (100, 300, 500):
        frames = list(range(departure - SPAN, departure + SPAN + 1))
        path.learn(frames, [along(f - departure) for f in frames], departure)
    return path


def learning_ms(repeats: int) -> float:
    """Median milliseconds to learn one more passage and fit the path again, ``MEMORY``
    passages remembered, each given a departure up to 4 frames off."""
    path, times = CarrierPath(), []
    for k in range(MEMORY + repeats):
        departure = 1_000 + 200 * k
        frames = list(range(departure - 2 * SPAN, departure + 2 * SPAN + 1))
        offsets = [along(f - departure) for f in frames]
        start = time.perf_counter()
        path.learn(frames, offsets, departure + (k % 9) - 4)
        path.at(0)  # the path is fit again when it is next used
        if k >= MEMORY:
            times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000


def track(length: int) -> tuple[list[int], list[Offset]]:
    """``length`` frames ending 15 after a departure: stuck, then on the path for 60."""
    last = 10_000
    frames = list(range(last - length + 1, last + 1))
    departure = last - 15
    offsets = [along(f - departure) if last - f < 60 else (90.0, 18.0) for f in frames]
    return frames, offsets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[30, 100, 200, 300])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    path = learned()
    rows = []
    for length in args.lengths:
        frames, offsets = track(length)
        fit = path.fit(frames, offsets)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            path.fit(frames, offsets)
            times.append(time.perf_counter() - start)
        rows.append(
            {
                "frames": length,
                "ms_per_fit": round(float(np.median(times)) * 1000, 3),
                "departure_found": None if fit is None else fit.departure == frames[-1] - 15,
            }
        )
    machine = platform.processor() or platform.machine()
    learning = round(learning_ms(args.repeats), 3)
    print(json.dumps({"machine": machine, "fits": rows, "ms_per_passage_learned": learning}))


if __name__ == "__main__":
    main()
