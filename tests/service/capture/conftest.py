from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from service.config import StationConfig

MakeConfig = Callable[..., StationConfig]


@pytest.fixture
def make_config(tmp_path: Path) -> MakeConfig:
    """``make_config(source=..., fps=..., **capture)``: a station config in ``tmp_path``."""
    cv2.imwrite(str(tmp_path / "reference.png"), np.zeros((24, 32, 3), np.uint8))

    def make(
        source: int | str = "rtsp://cam.local/live", fps: float = 10, **capture: Any
    ) -> StationConfig:
        data = {
            "id": "st-1",
            "lift": "lift-01",
            "source": source,
            "fps": fps,
            "registration": {"reference": "reference.png", "roi": [0, 0, 16, 16]},
            "capture": capture,
        }
        return StationConfig.model_validate(data, context={"base_dir": tmp_path})

    return make
