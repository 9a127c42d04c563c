"""Station config errors that name the file, the field path and, where known, the YAML line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from service.config.yaml_doc import Loc, line_of

_PREFIXES = ("Value error, ", "Assertion failed, ")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config: the field path (``registration.roi``), what, which line."""

    field: str | None
    message: str
    line: int | None = None

    def describe(self) -> str:
        where = f"{self.field}: " if self.field else ""
        line = f" (line {self.line})" if self.line is not None else ""
        return f"{where}{self.message}{line}"


class StationConfigError(Exception):
    """A station config that cannot be used; ``str()`` has one line per problem."""

    def __init__(self, path: str | Path, problems: Sequence[Problem]) -> None:
        self.path = Path(path)
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{self.path}: {p.describe()}" for p in self.problems))

    @classmethod
    def single(cls, path: str | Path, message: str, field: str | None = None) -> StationConfigError:
        return cls(path, [Problem(field, message)])


def field_path(loc: Loc) -> str:
    """``("registration", "roi", 2)`` -> ``registration.roi[2]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The nested model class that ``loc`` (a path of field names) leads to."""
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = _unwrap_optional(field.annotation if field is not None else None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _unwrap_optional(annotation: Any) -> Any:
    """``X`` of ``X | None`` (an optional nested block); anything else unchanged."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, UnionType) and len(args) == 1:
        return args[0]
    return annotation


def _message(error: ErrorDetails, model: type[BaseModel]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        allowed = f" (allowed: {', '.join(parent.model_fields)})" if parent is not None else ""
        return f"unknown key{allowed}"
    if kind == "missing":
        return "required key missing"
    message = error["msg"]
    for prefix in _PREFIXES:
        message = message.removeprefix(prefix)
    if kind not in ("value_error", "assertion_error") and _is_scalar(error.get("input")):
        message += f", got {error.get('input')!r}"
    return message


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def problems_from(
    error: ValidationError, model: type[BaseModel], root: yaml.Node | None
) -> Iterable[Problem]:
    """One :class:`Problem` per pydantic error, with its YAML line where the tree has it."""
    for details in error.errors():
        loc = details["loc"]
        yield Problem(field_path(loc) or None, _message(details, model), line_of(root, loc))
