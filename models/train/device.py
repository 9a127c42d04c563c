"""Where training runs: the device and the number of CPU threads."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch

log = logging.getLogger(__name__)


class DeviceError(ValueError):
    """A device that is not available here."""


def resolve_device(name: str) -> torch.device:
    """``auto`` → CUDA when torch sees a GPU, else the CPU; ``cuda`` must be available."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise DeviceError("--device cuda: torch sees no CUDA device here (use cpu or auto)")
    if name not in ("cpu", "cuda"):
        raise DeviceError(f"device must be auto, cpu or cuda, got {name!r}")
    return torch.device(name)


def tune_for(device: torch.device) -> None:
    """On CUDA, let cuDNN pick the fastest convolution algorithms for the (fixed) input size
    and let float32 matrix products use TensorFloat-32; nothing on the CPU."""
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.set_float32_matmul_precision("high")


@contextmanager
def torch_threads(threads: int | None) -> Iterator[int]:
    """Run with ``threads`` torch threads (default: every core), restored afterwards."""
    before = torch.get_num_threads()
    wanted = threads or os.cpu_count() or 1
    torch.set_num_threads(wanted)
    log.debug("torch threads: %d", wanted)
    try:
        yield wanted
    finally:
        torch.set_num_threads(before)
