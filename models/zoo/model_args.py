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


def coerce(label: str, value: int | float | bool | str, text: str, default: Any) -> Any:
    """``value`` in the type of the argument's default: a number where a number is expected,
    a flag where a flag is, the text where a string is; a ValueError, starting with ``label``
    (how the user named the argument), says what was wrong."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{label}: true or false expected, got {text!r}")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{label}: a number expected, got {text!r}")
        if isinstance(default, int) and not isinstance(value, int):
            raise ValueError(f"{label}: a whole number expected, got {text!r}")
        return float(value) if isinstance(default, float) else value
    if isinstance(default, str):
        return text
    return value


def _unknown(label: str, model: str, accepted: dict[str, Any]) -> ValueError:
    known = ", ".join(accepted) or "none"
    return ValueError(f"{label}: {model} takes no such argument; it takes {known}")


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
            raise _unknown(f"--model-arg {key!r}", model, accepted)
        if key in out:
            raise ValueError(f"--model-arg {key!r} is given twice")
        out[key] = coerce(f"--model-arg {key}", parse_value(value), value, accepted[key])
    return out


def check_model_args(model: str, given: dict[str, int | float | bool | str]) -> dict[str, Any]:
    """``{"localiser": "heatmap", "stn_s_max": 0.9}`` (a JSON request's ``model_args``) checked
    as :func:`parse_model_args` checks the command line's; a ValueError names the entry."""
    accepted = accepted_args(model)
    out: dict[str, Any] = {}
    for key, value in given.items():
        label = f"model_args.{key}"
        if key not in accepted:
            raise _unknown(label, model, accepted)
        text = str(value).lower() if isinstance(value, bool) else str(value)
        out[key] = coerce(label, value, text, accepted[key])
    return out
