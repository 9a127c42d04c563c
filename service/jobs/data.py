"""The ``data`` of a job: a synthetic preset, or a data-set directory inside the data dir."""

from __future__ import annotations

from pathlib import Path

PRESET_PREFIX = "synthetic:"


class DataError(ValueError):
    """A ``data`` value a job may not use; the message says why."""


def resolve_data(text: str, data_dir: Path) -> str:
    """The ``--data`` argument for ``text``: a preset (checked strictly) as is, a directory as
    its absolute path. A directory must lie inside ``data_dir`` (after resolving ``..`` and
    links) and exist."""
    text = text.strip()
    if text.startswith(PRESET_PREFIX):
        from models.train.presets import parse_preset

        try:
            parse_preset(text)
        except ValueError as exc:
            raise DataError(str(exc)) from None
        return text
    if not text or "\x00" in text:
        raise DataError("data must be synthetic:small|large[:...] or a directory in the data dir")
    root = data_dir.resolve()
    path = (root / text).resolve()
    if not path.is_relative_to(root):
        raise DataError(f"data directory {text!r} is outside the data directory")
    if not path.is_dir():
        raise DataError(f"no data-set directory {text!r} in the data directory")
    return str(path)
