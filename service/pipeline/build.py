"""Building a station's parts from its config: the registrar over its reference frame."""

from __future__ import annotations

from pathlib import Path

import cv2

from service.config import StationConfig
from service.registration import Registrar


class StationSetupError(ValueError):
    """A station whose parts cannot be built; the message names the station and the fault."""


def read_image(path: Path, what: str) -> cv2.typing.MatLike:
    """A BGR image from ``path``; a StationSetupError naming ``what`` and the file otherwise."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise StationSetupError(f"{what} {path} is missing or not an image")
    return image


def registrar_for(config: StationConfig) -> Registrar:
    """The station's registrar: its reference frame, ROI, search area, crop and minimum score."""
    reg = config.registration
    reference = read_image(Path(reg.reference), f"station {config.id}: reference frame")
    try:
        return Registrar(reference, reg.roi, reg.search, reg.crop, reg.min_score)
    except ValueError as exc:
        raise StationSetupError(f"station {config.id}: {exc}") from exc
