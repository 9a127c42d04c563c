from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import yaml

WriteConfig = Callable[..., Path]


def valid() -> dict[str, Any]:
    """A minimal valid station config (its reference is ``ref.png``, 160x100).

    Written by ``write``, its lines are: id, lift, source, fps, registration:, reference, roi.
    """
    return {
        "id": "lift-03-bottom",
        "lift": "lift-03",
        "source": "videos/station.mp4",
        "fps": 15,
        "registration": {"reference": "ref.png", "roi": [40, 10, 80, 80]},
    }


@pytest.fixture
def stations(tmp_path: Path) -> Path:
    """A station config folder holding the reference frame ``ref.png``."""
    folder = tmp_path / "station_configs"
    folder.mkdir()
    cv2.imwrite(str(folder / "ref.png"), np.zeros((100, 160, 3), np.uint8))
    return folder


@pytest.fixture
def write(stations: Path) -> WriteConfig:
    """``write(name, data_or_text)``: a config file in the ``stations`` folder."""

    def write_config(name: str, data: dict[str, Any] | str) -> Path:
        path = stations / name
        text = (
            data
            if isinstance(data, str)
            else yaml.safe_dump(data, sort_keys=False, width=200, default_flow_style=None)
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write_config
