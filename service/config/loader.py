"""Load station configs from YAML: one file, or every file of a directory without one broken file
stopping the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from service.config.errors import Problem, StationConfigError, field_path, problems_from
from service.config.station import StationConfig
from service.config.yaml_doc import duplicate_keys, parse

SUFFIXES = (".yaml", ".yml")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StationConfigError.single(path, f"cannot read the file: {reason}") from exc


def _parse(path: Path, text: str) -> tuple[dict[str, Any], yaml.Node | None]:
    try:
        data, root = parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise StationConfigError.single(path, f"YAML syntax error{where}: {problem}") from exc
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise StationConfigError.single(path, f"the top level must be a mapping, got {got}")
    repeated = [
        Problem(field_path(loc), "duplicate key", line) for loc, line in duplicate_keys(root)
    ]
    if repeated:
        raise StationConfigError(path, repeated)
    return data, root


def load_station_config(path: str | Path) -> StationConfig:
    """The validated config of one YAML file; paths in it are relative to its folder.

    Raises :class:`StationConfigError` naming the file, and the field path and line of every
    problem found.
    """
    path = Path(path)
    data, root = _parse(path, _read(path))
    context = {"base_dir": path.parent.absolute()}
    try:
        return StationConfig.model_validate(data, context=context)
    except ValidationError as exc:
        problems = sorted(problems_from(exc, StationConfig, root), key=_by_line)
        raise StationConfigError(path, problems) from None


def _by_line(problem: Problem) -> float:
    return float("inf") if problem.line is None else problem.line


def station_files(directory: str | Path) -> list[Path]:
    """The ``*.yaml`` and ``*.yml`` files directly in ``directory``, sorted by name."""
    folder = Path(directory)
    if not folder.is_dir():
        raise StationConfigError.single(folder, "not a directory")
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())


def load_station_dir(
    directory: str | Path,
) -> tuple[list[StationConfig], list[StationConfigError]]:
    """Every station config of ``directory`` that loads, and an error for each that does not.

    Files load in name order; a station id already taken by an earlier file is an error naming
    both files (the earlier one is kept). Raises :class:`StationConfigError` only when
    ``directory`` is not a directory.
    """
    configs: list[StationConfig] = []
    errors: list[StationConfigError] = []
    owners: dict[str, Path] = {}
    for path in station_files(directory):
        try:
            config = load_station_config(path)
        except StationConfigError as exc:
            errors.append(exc)
            continue
        if config.id in owners:
            message = f"duplicate station id {config.id!r}, already used by {owners[config.id]}"
            error = StationConfigError.single(path, message, field="id")
            errors.append(error)
            continue
        owners[config.id] = path
        configs.append(config)
    return configs, errors
