"""``source:`` of a station config: a video file, an RTSP or HTTP(S) MJPEG URL, or a camera index.

After validation a source is an ``int`` (camera index) or a ``str``: the URL as written, or the
file's absolute path (relative paths are taken from the config file's folder). A video file need
not exist when the config is loaded: ``liftwatch replay --source`` may replace it, and the capture
worker retries a source it cannot open.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import ValidationInfo

from service.config.types import resolve_path

SourceKind = Literal["file", "rtsp", "http", "camera"]

SCHEMES: dict[str, SourceKind] = {
    "rtsp": "rtsp",
    "rtsps": "rtsp",
    "http": "http",
    "https": "http",
}
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def parse_source(value: Any, info: ValidationInfo) -> int | str:
    """The validated source; raises ``ValueError`` with the reason."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(
            "must be a video file path, an rtsp:// or http(s):// URL, or a camera index"
        )
    if isinstance(value, int) or value.strip().isdigit():
        index = int(value)
        if index < 0:
            raise ValueError(f"camera index must be >= 0, got {index}")
        return index
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    match = _URL.match(text)
    if match is None:
        return str(resolve_path(text, info))
    scheme = match.group(1).lower()
    if scheme not in SCHEMES:
        raise ValueError(f"unsupported URL scheme {scheme!r}: use rtsp://, http:// or https://")
    if len(text) == len(match.group(0)):
        raise ValueError(f"URL has no host: {text!r}")
    return text


def source_kind(source: int | str) -> SourceKind:
    """What a validated source is: ``file``, ``rtsp``, ``http`` or ``camera``."""
    if isinstance(source, int):
        return "camera"
    match = _URL.match(source)
    return "file" if match is None else SCHEMES[match.group(1).lower()]
