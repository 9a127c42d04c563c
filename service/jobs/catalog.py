"""Model versions: the shipped default and every model a train job exported; activation.

A version is the serving engine's ``model_id`` (``"<model>@<weights hash>"``). Activating one
swaps it into the running pipeline (``InferenceWorker.swap_engine``: batches in flight finish
on the old engine, every lift's masks are re-embedded) and records it in
``data_dir/models/active.json``, which ``liftwatch serve`` loads at its next start.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.jobs.runner import JobRunner

if TYPE_CHECKING:
    from service.inference import Engine
    from service.pipeline.runtime import Runtime

logger = logging.getLogger(__name__)
ACTIVE_FILE = Path("models") / "active.json"
EngineLoader = Callable[[Path], "Engine"]


class UnknownVersionError(LookupError):
    """No model version of that name."""


class NoPipelineError(RuntimeError):
    """Activation needs a running pipeline."""


@dataclass(frozen=True)
class ModelVersion:
    """One servable model: ``version`` (its model id), where it is, where it came from."""

    version: str
    name: str
    path: Path
    created: float
    source: str
    """``default`` (shipped) or ``job`` (a train job's export)."""
    job_id: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    active: bool = False


def version_of(onnx_path: Path) -> str:
    """The model id an engine serving ``onnx_path`` reports (its sidecar JSON beside it)."""
    from models.zoo.preprocess import PreprocessConfig
    from service.inference.engines.base import model_id_of

    config = PreprocessConfig.from_json(onnx_path.with_suffix(".json").read_text())
    return model_id_of(config, onnx_path)


def active_model_path(data_dir: Path) -> Path | None:
    """The model file recorded as active in ``data_dir`` (``None``: none, or it is gone)."""
    try:
        record = json.loads((data_dir / ACTIVE_FILE).read_text())
        path = Path(record["path"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path if path.is_file() else None


def _onnx_engine(path: Path) -> Engine:
    from service.inference import load_engine

    return load_engine("onnx", path)


class ModelCatalog:
    """The versions servable here and the one active in ``runtime`` (if a pipeline runs)."""

    def __init__(
        self,
        data_dir: Path,
        runner: JobRunner,
        runtime: Runtime | None = None,
        loader: EngineLoader = _onnx_engine,
    ) -> None:
        self.data_dir = data_dir
        self.runner = runner
        self.runtime = runtime
        self.loader = loader
        self._lock = threading.Lock()
        self._default: ModelVersion | None = None

    def default(self) -> ModelVersion:
        if self._default is None:
            from models.default import default_model_path

            path = default_model_path()
            name = json.loads(path.with_suffix(".json").read_text())["model"]
            created = path.stat().st_mtime
            self._default = ModelVersion(version_of(path), name, path, created, "default")
        return self._default

    def versions(self) -> list[ModelVersion]:
        """The default first, then trained versions newest first, with metrics and ``active``."""
        found = [self.default()]
        for job in self.runner.list("succeeded", limit=1000):
            version, path = job.result.get("version"), job.result.get("model_path")
            if job.kind == "train" and version and path and Path(path).is_file():
                train = job.result.get("train", {})
                metrics = {"best_val_accuracy": train.get("best_val_accuracy")}
                created = job.ended_at or job.created_at
                found.append(
                    ModelVersion(version, job.model, Path(path), created, "job", job.id, metrics)
                )
        evaluations = self._evaluations()
        active = self.active_version()
        return [_with(v, evaluations.get(v.version), v.version == active) for v in _unique(found)]

    def find(self, version: str) -> ModelVersion:
        for candidate in self.versions():
            if candidate.version == version:
                return candidate
        raise UnknownVersionError(f"no model version {version!r}")

    def weights_for(self, weights: str, model: str) -> tuple[Path, str | None]:
        """The weights file and version of ``weights``: a succeeded train job's id (its
        ``best.pt``) or a version; ``UnknownVersionError`` if neither, or another model's."""
        if re.fullmatch("[0-9a-f]{32}", weights):
            job = self.runner.repository.get(weights)
            if job is None or job.kind != "train" or job.status != "succeeded":
                raise UnknownVersionError(f"no succeeded train job {weights}")
            path, version, name = (
                self.runner.out_dir(job.id) / "best.pt",
                job.result.get("version"),
                job.model,
            )
        else:
            found = self.find(weights)
            path, version, name = found.path, found.version, found.name
        if name != model:
            raise UnknownVersionError(f"{weights} holds model {name!r}, not {model!r}")
        return path, version

    def active_version(self) -> str | None:
        if self.runtime is not None:
            return self.runtime.classifier.engine.model_id
        path = active_model_path(self.data_dir)
        return None if path is None else version_of(path)

    def activate(self, version: str) -> ModelVersion:
        """Hot-swap ``version`` into the running pipeline and record it as active."""
        if self.runtime is None:
            raise NoPipelineError("no pipeline runs in this server: nothing to activate into")
        chosen = self.find(version)
        with self._lock:
            engine = self.loader(chosen.path)
            self.runtime.inference.swap_engine(engine)
            self._record(chosen)
        logger.info("model %s activated (%s)", chosen.version, chosen.path)
        return _with(chosen, None, True)

    def _record(self, chosen: ModelVersion) -> None:
        path = self.data_dir / ACTIVE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps({"version": chosen.version, "path": str(chosen.path)}))
        os.replace(temp, path)

    def _evaluations(self) -> dict[str, dict[str, Any]]:
        """Per version, the metrics of its newest succeeded evaluation."""
        found: dict[str, dict[str, Any]] = {}
        for job in self.runner.list("succeeded", limit=1000):  # newest first
            version = job.params.get("weights_version")
            table = job.result.get("accuracy")
            if job.kind != "evaluate" or not version or version in found or not table:
                continue
            found[version] = {
                "average": table.get("average"),
                "overall": table.get("overall"),
                "split": job.params.get("split", "test"),
                "evaluation": job.id,
            }
        return found


def _with(v: ModelVersion, metrics: dict[str, Any] | None, active: bool) -> ModelVersion:
    merged = {**v.metrics, **(metrics or {})}
    return ModelVersion(v.version, v.name, v.path, v.created, v.source, v.job_id, merged, active)


def _unique(versions: list[ModelVersion]) -> list[ModelVersion]:
    seen: set[str] = set()
    out = []
    for v in versions:
        if v.version not in seen:
            seen.add(v.version)
            out.append(v)
    return out
