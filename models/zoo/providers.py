"""Which ONNX Runtime execution providers can really run here.

onnxruntime-gpu lists ``CUDAExecutionProvider`` as available even on machines without a GPU or
without the CUDA/cuDNN libraries it needs; asking for it there logs errors and falls back to
the CPU. So CUDA is chosen only when it is listed, the CUDA driver reports a device, and ORT's
CUDA provider library loads (its CUDA/cuDNN dependencies resolve), all probed quietly.
"""

from __future__ import annotations

import ctypes
import functools
import logging
from pathlib import Path

import onnxruntime as ort

log = logging.getLogger(__name__)
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


def _driver_has_device() -> bool:
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
        count = ctypes.c_int(0)
        return (
            cuda.cuInit(0) == 0
            and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0
            and (count.value > 0)
        )
    except (OSError, AttributeError):
        return False


def _provider_library_loads() -> bool:
    lib = Path(ort.__file__).parent / "capi" / "libonnxruntime_providers_cuda.so"
    try:
        ctypes.CDLL(str(lib))
    except OSError as exc:
        log.info("ONNX Runtime's CUDA provider cannot load here: %s", exc)
        return False
    return True


@functools.lru_cache(maxsize=1)
def cuda_usable() -> bool:
    """True when ONNX Runtime can run on a CUDA device in this process (probed once)."""
    return (
        CUDA in ort.get_available_providers() and _driver_has_device() and _provider_library_loads()
    )


def select_providers(prefer_cuda: bool = True) -> list[str]:
    """``[CUDA, CPU]`` where CUDA really works (and is wanted), else ``[CPU]``."""
    return [CUDA, CPU] if prefer_cuda and cuda_usable() else [CPU]
