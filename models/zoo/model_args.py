"""``--model-arg KEY=VALUE`` options: constructor arguments of a registered model, checked
against its signature before anything is built or loaded."""

from __future__ import annotations

import inspect
from typing import Any

from models.zoo.registry import model_class

#: set by ``liftwatch train`` itself (``--input-size``, ``--pretrained``), not by --model-arg
RESERVED = ("input_size", "pretrained")


def parse_value(text: str) -> int | float | bool | str:
    """``"3"`` → 3, ``"0.5"`` → 0.5, ``"true"``/``"false"`` → bool, anything else: the text."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def accepted_args(model: str) -> dict[str, Any]:
    """The keyword arguments ``model``'s constructor takes, less the reserved ones, each with
    its default (``inspect.Parameter.empty`` when it has none)."""
    params = inspect.signature(model_class(model).__init__).parameters
    return {
        name: p.default
        for name, p in params.items()
        if name != "self"
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        and name not in RESERVED
    }


def coerce(key: str, value: int | float | bool | str, text: str, default: Any) -> Any:
    """``value`` in the type of the argument's default: a number where a number is expected,
    a flag where a flag is, the text where a string is; a ValueError says what was wrong."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"--model-arg {key}: true or false expected, got {text!r}")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"--model-arg {key}: a number expected, got {text!r}")
        if isinstance(default, int) and not isinstance(value, int):
            raise ValueError(f"--model-arg {key}: a whole number expected, got {text!r}")
        return float(value) if isinstance(default, float) else value
    if isinstance(default, str):
        return text
    return value


def parse_model_args(model: str, items: list[str]) -> dict[str, Any]:
    """``["localiser=heatmap", "stn_s_max=0.9"]`` → kwargs of ``create_model(model, ...)``;
    a ValueError names a malformed item, a name ``model`` does not take or a repeated name."""
    accepted = accepted_args(model)
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep or not key or not value:
            raise ValueError(f"--model-arg {item!r} must read KEY=VALUE")
        if key not in accepted:
            known = ", ".join(accepted) or "none"
            raise ValueError(
                f"--model-arg {key!r}: {model} takes no such argument; it takes {known}"
            )
        if key in out:
            raise ValueError(f"--model-arg {key!r} is given twice")
        out[key] = coerce(key, parse_value(value), value, accepted[key])
    return out
