"""``--data`` presets and lift lists, parsed strictly.

A preset reads ``synthetic:small`` or ``synthetic:large``, optionally followed by
``:key=value,key=value`` with keys ``seed``, ``world_seed``, ``lifts`` (lifts 1..N),
``difficulty``, ``train_scale`` and ``test_scale`` (as the ``synth dataset`` options), e.g.
``synthetic:small:test_scale=0.05,lifts=4``. A lift list reads like ``1,2,7-9``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.synthetic.dataset import DatasetSpec
from models.synthetic.splits import VARIANTS

PRESET = "synthetic"
MAX_LIFTS = 200


class DataSpecError(ValueError):
    """A ``--data`` value or lift selection that cannot be used; the message says why."""


def _int(key: str, text: str, lo: int, hi: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise DataSpecError(f"{key} must be an integer, got {text!r}") from None
    if not lo <= value <= hi:
        raise DataSpecError(f"{key} must be in [{lo}, {hi}], got {value}")
    return value


def _float(key: str, text: str, lo: float, hi: float, lo_open: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DataSpecError(f"{key} must be a number, got {text!r}") from None
    if not (lo < value if lo_open else lo <= value) or not value <= hi or value != value:
        interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}]"
        raise DataSpecError(f"{key} must be in {interval}, got {text}")
    return value


PRESET_KEYS: dict[str, Callable[[str, str], object]] = {
    "seed": lambda k, v: _int(k, v, 0, 2**32 - 1),
    "world_seed": lambda k, v: _int(k, v, 0, 2**32 - 1),
    "lifts": lambda k, v: _int(k, v, 1, MAX_LIFTS),
    "difficulty": lambda k, v: _float(k, v, 0.0, 3.0),
    "train_scale": lambda k, v: _float(k, v, 0.0, 1.0, lo_open=True),
    "test_scale": lambda k, v: _float(k, v, 0.0, 1.0, lo_open=True),
}


def parse_preset(text: str) -> DatasetSpec:
    """``synthetic:VARIANT[:key=value,...]`` → the ``DatasetSpec`` it names (strict)."""
    parts = text.split(":", 2)
    if parts[0] != PRESET or len(parts) < 2 or not parts[1]:
        raise DataSpecError(f"a preset reads synthetic:small or synthetic:large, got {text!r}")
    if parts[1] not in VARIANTS:
        raise DataSpecError(
            f"unknown preset variant {parts[1]!r}: use one of {', '.join(VARIANTS)}"
        )
    values: dict[str, Any] = {}
    for item in parts[2].split(",") if len(parts) == 3 else []:
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep or not key or not value:
            raise DataSpecError(f"preset option {item!r} must read key=value")
        if key not in PRESET_KEYS:
            raise DataSpecError(f"unknown preset option {key!r}; known: {', '.join(PRESET_KEYS)}")
        if key in values:
            raise DataSpecError(f"preset option {key!r} is given twice")
        values[key] = PRESET_KEYS[key](key, value)
    n_lifts = int(values.pop("lifts", 20))
    return DatasetSpec(lifts=tuple(range(1, n_lifts + 1)), variant=parts[1], **values)


def parse_lifts(text: str) -> tuple[int, ...]:
    """``"1,2,7-9"`` → ``(1, 2, 7, 8, 9)`` (sorted, unique)."""
    lifts: set[int] = set()
    for item in (s.strip() for s in text.split(",")):
        lo, sep, hi = item.partition("-")
        try:
            first, last = int(lo), int(hi) if sep else int(lo)
        except ValueError:
            raise DataSpecError(f"lifts must read like 1,2,7-9, got {text!r}") from None
        if first < 1 or last < first:
            raise DataSpecError(f"bad lift range {item!r} in {text!r}")
        lifts.update(range(first, last + 1))
    return tuple(sorted(lifts))
