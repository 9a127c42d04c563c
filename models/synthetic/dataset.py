"""Labelled data sets of registered images: in memory for training, or written to a directory.

Every image is drawn from its own generator, seeded by (seed, lift, split, index), so a data set
is the same whatever the order, the number of worker processes or the part generated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from models.synthetic.samples import CROP, DEFAULT_DIFFICULTY, LABELS, Sample, render_registered
from models.synthetic.scene import World
from models.synthetic.splits import SPLITS, split_sizes

Array = np.ndarray


@dataclass(frozen=True)
class DatasetSpec:
    """What to generate: the contract between the CLI, the writer and the trainers."""

    lifts: tuple[int, ...] = tuple(range(1, 21))
    seed: int = 0
    world_seed: int = 0
    variant: str = "small"
    difficulty: float = DEFAULT_DIFFICULTY
    train_scale: float = 1.0
    test_scale: float = 1.0
    crop: int = CROP

    def sizes(self, lift_id: int) -> dict[str, tuple[int, int]]:
        """Per split, (open, closed) counts of ``lift_id``."""
        s = split_sizes(lift_id, self.variant, self.train_scale, self.test_scale)
        return {k: (v.open, v.closed) for k, v in s.items()}


@dataclass(frozen=True)
class Job:
    """One image to draw: the order of images within a (lift, split) is open then closed."""

    lift_id: int
    split: str
    index: int
    label: str


def jobs(spec: DatasetSpec, split: str, lift_id: int) -> list[Job]:
    n_open, n_closed = spec.sizes(lift_id)[split]
    labels = ["open"] * n_open + ["closed"] * n_closed
    return [Job(lift_id, split, i, lab) for i, lab in enumerate(labels)]


def render_job(world: World, spec: DatasetSpec, job: Job) -> Sample:
    rng = np.random.default_rng([spec.seed, job.lift_id, SPLITS.index(job.split), job.index])
    return render_registered(world, job.lift_id, job.label, rng, spec.difficulty, spec.crop)


@dataclass(frozen=True)
class ArraySplit:
    """A split in memory: images (N, H, W, 3) BGR uint8, labels (N,) 0 closed / 1 open."""

    images: Array
    labels: Array
    lifts: Array
    bar_angles: Array

    def __len__(self) -> int:
        return len(self.labels)


def _render_chunk(args: tuple[DatasetSpec, list[Job]]) -> list[Sample]:
    spec, chunk = args
    world = World(spec.world_seed)
    return [render_job(world, spec, job) for job in chunk]


def iter_samples(
    spec: DatasetSpec, job_list: list[Job], workers: int = 1, chunk: int = 64
) -> Iterator[tuple[Job, Sample]]:
    """Render ``job_list`` in order, in ``workers`` processes when more than one."""
    chunks = [job_list[i : i + chunk] for i in range(0, len(job_list), chunk)]
    if workers <= 1:
        world = World(spec.world_seed)
        for job in job_list:
            yield job, render_job(world, spec, job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part, samples in zip(
            chunks, pool.map(_render_chunk, [(spec, c) for c in chunks]), strict=True
        ):
            yield from zip(part, samples, strict=True)


def generate_split(
    spec: DatasetSpec,
    split: str,
    lifts: tuple[int, ...] | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ArraySplit:
    """One split of ``lifts`` (default: all of the spec's) in memory."""
    job_list = [j for lift in (lifts or spec.lifts) for j in jobs(spec, split, lift)]
    n = len(job_list)
    images = np.zeros((n, spec.crop, spec.crop, 3), np.uint8)
    labels = np.zeros(n, np.int64)
    lift_ids = np.zeros(n, np.int64)
    angles = np.zeros(n, np.float32)
    for i, (job, sample) in enumerate(iter_samples(spec, job_list, workers)):
        images[i] = sample.image
        labels[i] = LABELS.index(sample.label)
        lift_ids[i] = job.lift_id
        angles[i] = sample.bar_angle
        if progress is not None:
            progress(1)
    return ArraySplit(images, labels, lift_ids, angles)
