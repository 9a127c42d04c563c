"""Small value types shared by the station config models: slugs, boxes and config-relative paths.

Paths in a station config are relative to the folder of the YAML file that holds them. The loader
passes that folder as the validation context (``{"base_dir": Path}``); without one (a config built
in code) relative paths are taken from the current directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import StringConstraints, ValidationInfo

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
"""Lower-case letters, digits, ``-`` and ``_``; starts with a letter or digit; 64 at most."""

Box = tuple[int, int, int, int]
"""``(x, y, w, h)`` in pixels of the reference frame."""


def parse_box(value: Any) -> Box:
    """``[x, y, w, h]``: four integers, ``x, y >= 0``, ``w, h > 0``; raises ``ValueError``."""
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise ValueError("must have 4 integers [x, y, w, h]")
    if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        raise ValueError(f"must have 4 integers [x, y, w, h], got {list(value)}")
    x, y, w, h = (int(v) for v in value)
    if x < 0 or y < 0:
        raise ValueError(f"x and y must be >= 0, got {list(value)}")
    if w <= 0 or h <= 0:
        raise ValueError(f"width and height must be > 0, got {list(value)}")
    return x, y, w, h


def base_dir(info: ValidationInfo) -> Path:
    """The folder relative paths are resolved against: the config file's, or the current one."""
    context = info.context if isinstance(info.context, dict) else {}
    folder = context.get("base_dir")
    return Path(folder) if folder is not None else Path.cwd()


def resolve_path(value: str | Path, info: ValidationInfo) -> Path:
    """``value`` with ``~`` expanded, made absolute against :func:`base_dir`."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else base_dir(info).absolute() / path
