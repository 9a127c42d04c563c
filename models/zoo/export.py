"""ONNX export of zoo models and a runtime loader that reads their preprocessing back.

Siamese models export ONE branch: input ``"image"`` (N, 3, H, W) → output ``"embedding"``
(N, D); the masks go through the same graph. Classifiers export input ``"image"`` → output
``"logits"`` (softmax at inference). Opset 17, dynamic batch axis. The ``PreprocessConfig`` is
written as JSON beside the model (``model.onnx`` → ``model.json``) and into the model's
``metadata_props`` under ``liftwatch.preprocess``; ``OnnxModel`` reads both and refuses a pair
that disagree.

Export uses torch's TorchScript-based exporter (``dynamo=False``): the newer exporter needs
``onnxscript``, which is not a dependency.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from models.zoo.base import ZooModel
from models.zoo.preprocess import PreprocessConfig
from models.zoo.providers import select_providers

log = logging.getLogger(__name__)
OPSET = 17
INPUT_NAME = "image"
OUTPUT_NAMES = {"siamese": "embedding", "classifier": "logits"}
METADATA_KEY = "liftwatch.preprocess"


class OnnxModelError(ValueError):
    """An ONNX model file that cannot be used; the message says why."""


def sidecar_path(path: str | Path) -> Path:
    """``model.onnx`` → ``model.json``."""
    return Path(path).with_suffix(".json")


def export_onnx(model: ZooModel, path: str | Path, opset: int = OPSET) -> Path:
    """Export ``model`` (in eval mode) to ``path`` with its config; returns the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    config = model.preprocess_config
    output_name = OUTPUT_NAMES[config.kind]
    # a model may trace through a wrapper with more outputs (hashing: logits and hash layer)
    export_module = getattr(model, "export_module", None)
    traced: torch.nn.Module = export_module() if callable(export_module) else model
    output_names = list(getattr(model, "onnx_outputs", (output_name,)))
    param = next(model.parameters())
    dummy = torch.zeros(2, 3, *config.input_size, device=param.device)
    was_training = model.training
    model.eval()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.onnx.export(
                traced,
                (dummy,),
                str(out),
                dynamo=False,
                opset_version=opset,
                input_names=[INPUT_NAME],
                output_names=output_names,
                dynamic_axes={INPUT_NAME: {0: "batch"}} | {n: {0: "batch"} for n in output_names},
            )
    finally:
        model.train(was_training)
    proto = onnx.load(str(out))
    entry = proto.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, config.to_json()
    proto.producer_name = "liftwatch"
    onnx.checker.check_model(proto)
    onnx.save(proto, str(out))
    sidecar_path(out).write_text(json.dumps(config.to_dict(), indent=2, sort_keys=True) + "\n")
    log.info("exported %s to %s (%s)", config.model, out, output_name)
    return out


def read_config(path: str | Path, proto_metadata: dict[str, str]) -> PreprocessConfig:
    """The config of an exported model from its metadata and/or JSON sidecar (must agree)."""
    found: dict[str, PreprocessConfig] = {}
    side = sidecar_path(path)
    try:
        if METADATA_KEY in proto_metadata:
            found["metadata"] = PreprocessConfig.from_json(proto_metadata[METADATA_KEY])
        if side.is_file():
            found["sidecar"] = PreprocessConfig.from_json(side.read_text())
    except (TypeError, ValueError) as exc:
        raise OnnxModelError(f"{path}: unreadable preprocess config: {exc}") from exc
    if not found:
        raise OnnxModelError(f"{path} carries no preprocess config (metadata or {side.name})")
    if len(found) == 2 and found["metadata"] != found["sidecar"]:
        raise OnnxModelError(f"{path}: metadata and {side.name} disagree on the preprocess config")
    return next(iter(found.values()))


class OnnxModel:
    """An exported zoo model run by ONNX Runtime; inputs are preprocessed batches."""

    def __init__(
        self,
        path: str | Path,
        providers: list[str] | None = None,
        threads: int | None = None,
        spin: bool = True,
    ) -> None:
        """``threads``: ONNX Runtime's intra-op threads (None: its default, every core);
        ``spin=False`` stops idle intra-op threads from busy-waiting for work, which matters
        where other threads (capture, registration) need the same cores."""
        self.path = Path(path)
        if not self.path.is_file():
            raise OnnxModelError(f"ONNX model {self.path} does not exist")
        options = ort.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        if not spin:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(self.path), options, providers=providers or select_providers()
        )
        meta = dict(self.session.get_modelmeta().custom_metadata_map)
        self.config = read_config(self.path, meta)
        self.output_name = OUTPUT_NAMES[self.config.kind]
        log.info("loaded %s on %s", self.path, self.session.get_providers())

    @property
    def kind(self) -> str:
        return self.config.kind

    @property
    def providers(self) -> list[str]:
        return list(self.session.get_providers())

    def run(self, batch: torch.Tensor | np.ndarray) -> np.ndarray:
        """The model's output for a preprocessed float32 (N, 3, H, W) batch."""
        x = batch.detach().cpu().numpy() if isinstance(batch, torch.Tensor) else np.asarray(batch)
        expected = (3, *self.config.input_size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(f"batch must be (N, {', '.join(map(str, expected))}), got {x.shape}")
        out = self.session.run([self.output_name], {INPUT_NAME: x.astype(np.float32, copy=False)})
        return np.asarray(out[0])

    def embed(self, batch: torch.Tensor | np.ndarray) -> np.ndarray:
        """(N, D) embeddings of a siamese model."""
        if self.kind != "siamese":
            raise TypeError(f"{self.config.model} is a {self.kind}: use logits()")
        return self.run(batch)

    def logits(self, batch: torch.Tensor | np.ndarray) -> np.ndarray:
        """(N, C) logits of a classifier."""
        if self.kind != "classifier":
            raise TypeError(f"{self.config.model} is a {self.kind}: use embed()")
        return self.run(batch)
