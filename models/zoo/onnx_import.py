"""A trainable model rebuilt from an exported ONNX file, for fine-tuning a shipped model.

The export (:mod:`models.zoo.export`) folds every BatchNorm into the convolution before it: the
file holds each convolution's folded weight W' and bias b' and no BatchNorm at all. This builds
the registered model again (its name and sizes from the file's preprocess config) and gives each
convolution W'. The BatchNorm after it gets running statistics (m, v), the mean and variance of
W'·x over calibration images, with γ = sqrt(v + eps) and β = m + b', so that in eval mode
BN(z) = (z − m)/sqrt(v + eps)·γ + β = z + b' exactly, and in training mode, where BatchNorm uses
each batch's own statistics, it stays close to that on images like the calibration ones:
fine-tuning starts from the shipped model's function. A convolution followed by no BatchNorm
takes W' and b' as they are; every other weight (the linear projection) keeps its name in the
export and is copied by name.

Only the sizes the preprocess config records are known (input size, embedding size or classes):
a model exported with other constructor arguments (``width``) does not fit and is refused.
The rebuilt model is checked against ONNX Runtime on the calibration images; any mismatch of
layers, shapes or outputs raises :class:`OnnxImportError` naming it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from torch import nn

from models.zoo.base import ZooModel
from models.zoo.export import INPUT_NAME, OUTPUT_NAMES, read_config
from models.zoo.preprocess import PreprocessConfig, preprocess
from models.zoo.registry import UnknownModelError, create_model

log = logging.getLogger(__name__)
TOLERANCE = 1e-4  # largest |torch − ONNX Runtime| output difference accepted


class OnnxImportError(ValueError):
    """An ONNX file that cannot be turned back into a trainable model; the message says why."""


@dataclass(frozen=True)
class ImportReport:
    """What the import did: layers rebuilt and the check against ONNX Runtime."""

    convolutions: int
    batchnorms: int
    copied: tuple[str, ...]
    max_difference: float
    calibration_images: int


def _conv_pairs(model: nn.Module) -> list[tuple[nn.Conv2d, nn.BatchNorm2d | None]]:
    """Every convolution in registration order with the BatchNorm that follows it (None when
    another convolution or nothing comes first)."""
    pairs: list[tuple[nn.Conv2d, nn.BatchNorm2d | None]] = []
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            pairs.append((module, None))
        elif isinstance(module, nn.BatchNorm2d) and pairs and pairs[-1][1] is None:
            pairs[-1] = (pairs[-1][0], module)
    return pairs


def _onnx_convs(
    graph: onnx.GraphProto, weights: dict[str, np.ndarray]
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """(weight, bias) of every Conv node in graph order."""
    convs = []
    for node in graph.node:
        if node.op_type != "Conv":
            continue
        names = list(node.input)
        if len(names) < 2 or names[1] not in weights:
            raise OnnxImportError(f"Conv node {node.name or names} has no constant weight")
        bias = weights.get(names[2]) if len(names) > 2 and names[2] else None
        convs.append((weights[names[1]], bias))
    return convs


def _build(config: PreprocessConfig) -> ZooModel:
    kwargs: dict[str, object] = {"input_size": config.input_size}
    if config.kind == "siamese" and config.embedding_size is not None:
        kwargs["embedding_size"] = config.embedding_size
    if config.kind == "classifier" and config.num_classes is not None:
        kwargs["num_classes"] = config.num_classes
    try:
        return create_model(config.model, **kwargs)
    except UnknownModelError as exc:
        raise OnnxImportError(
            f"the ONNX file's model {config.model!r} is not registered: {exc}"
        ) from None
    except TypeError as exc:
        raise OnnxImportError(f"cannot build {config.model} with {kwargs}: {exc}") from None


def _running(bn: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """The running mean and variance buffers of ``bn``."""
    mean, var = bn.running_mean, bn.running_var
    if mean is None or var is None:
        raise OnnxImportError(f"{bn} keeps no running statistics: it cannot hold a folded bias")
    return mean, var


def _load_convs(
    pairs: list[tuple[nn.Conv2d, nn.BatchNorm2d | None]],
    convs: list[tuple[np.ndarray, np.ndarray | None]],
) -> None:
    """Folded weights into the convolutions; biases into placeholder BatchNorms (mean 0,
    variance 1 − eps, γ 1, β b': exact in eval mode until calibrated)."""
    if len(pairs) != len(convs):
        raise OnnxImportError(
            f"the model has {len(pairs)} convolutions, the ONNX file {len(convs)}"
        )
    for k, ((conv, bn), (weight, bias)) in enumerate(zip(pairs, convs, strict=True)):
        if tuple(conv.weight.shape) != weight.shape:
            raise OnnxImportError(
                f"convolution {k}: the model's weight is {tuple(conv.weight.shape)}, "
                f"the ONNX file's {weight.shape}"
            )
        b = np.zeros(weight.shape[0], np.float32) if bias is None else bias
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(weight))
            if bn is None:
                if conv.bias is None:
                    if bias is not None and np.any(bias):
                        raise OnnxImportError(
                            f"convolution {k} has a bias in ONNX, none in the model"
                        )
                else:
                    conv.bias.copy_(torch.from_numpy(b))
                continue
            if conv.bias is not None:
                conv.bias.zero_()
            mean, var = _running(bn)
            mean.zero_()
            var.fill_(1.0 - bn.eps)
            bn.weight.fill_(1.0)
            bn.bias.copy_(torch.from_numpy(b))


def _copy_named(
    model: nn.Module, weights: dict[str, np.ndarray], skip: set[str]
) -> tuple[str, ...]:
    """Parameters that are not convolution or BatchNorm ones, copied by name; all must be there."""
    copied = []
    state = model.state_dict()
    for name, tensor in state.items():
        if name in skip:
            continue
        if name not in weights:
            raise OnnxImportError(f"the ONNX file has no weight named {name!r}")
        value = weights[name]
        if tuple(tensor.shape) != value.shape:
            raise OnnxImportError(
                f"{name}: the model's shape is {tuple(tensor.shape)}, the ONNX file's {value.shape}"
            )
        with torch.no_grad():
            tensor.copy_(torch.from_numpy(value))
        copied.append(name)
    return tuple(copied)


def _conv_and_bn_keys(model: nn.Module) -> set[str]:
    keys: set[str] = set()
    for prefix, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.BatchNorm2d)):
            keys |= {f"{prefix}.{name}" for name in module.state_dict()}
    return keys


def _calibrate(
    model: nn.Module, pairs: list[tuple[nn.Conv2d, nn.BatchNorm2d | None]], batch: torch.Tensor
) -> None:
    """Running statistics from the convolutions' outputs on ``batch``, with β moved so that
    eval mode is unchanged."""
    stats: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}

    def hook(index: int) -> Callable[[nn.Module, object, torch.Tensor], None]:
        def record(_: nn.Module, __: object, out: torch.Tensor) -> None:
            stats[index] = (out.mean(dim=(0, 2, 3)), out.var(dim=(0, 2, 3), unbiased=False))

        return record

    handles = [
        conv.register_forward_hook(hook(k)) for k, (conv, bn) in enumerate(pairs) if bn is not None
    ]
    try:
        model.eval()
        with torch.no_grad():
            model(batch)
    finally:
        for handle in handles:
            handle.remove()
    with torch.no_grad():
        for k, (_, bn) in enumerate(pairs):
            if bn is None:
                continue
            mean, var = stats[k]
            running_mean, running_var = _running(bn)
            folded_bias = bn.bias.clone()
            running_mean.copy_(mean)
            running_var.copy_(var)
            bn.weight.copy_(torch.sqrt(var + bn.eps))
            bn.bias.copy_(mean + folded_bias)


def import_onnx(path: str | Path, images: np.ndarray) -> tuple[ZooModel, ImportReport]:
    """The model of the ONNX file ``path``, trainable, calibrated on ``images`` (BGR uint8
    (N, H, W, 3), a few hundred like the training ones), in eval mode."""
    path = Path(path)
    if not path.is_file():
        raise OnnxImportError(f"ONNX model {path} does not exist")
    if len(images) < 2:
        raise OnnxImportError(f"calibration needs at least 2 images, got {len(images)}")
    try:
        proto = onnx.load(str(path))
    except Exception as exc:  # onnx raises several unrelated types
        raise OnnxImportError(f"{path} is not a readable ONNX file: {exc}") from None
    metadata = {p.key: p.value for p in proto.metadata_props}
    config = read_config(path, metadata)
    weights = {w.name: numpy_helper.to_array(w).astype(np.float32) for w in proto.graph.initializer}
    model = _build(config)
    pairs = _conv_pairs(model)
    _load_convs(pairs, _onnx_convs(proto.graph, weights))
    copied = _copy_named(model, weights, _conv_and_bn_keys(model))
    batch = preprocess(images, config)
    _calibrate(model, pairs, batch)
    model.eval()
    with torch.no_grad():
        ours = model(batch).numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    theirs = session.run([OUTPUT_NAMES[config.kind]], {INPUT_NAME: batch.numpy()})[0]
    difference = float(np.abs(ours - theirs).max())
    if not difference <= TOLERANCE:
        raise OnnxImportError(
            f"the rebuilt {config.model} differs from {path} by up to {difference:.2e} "
            f"(allowed {TOLERANCE:.0e}): the file is not a folded export of this model"
        )
    report = ImportReport(
        convolutions=len(pairs),
        batchnorms=sum(bn is not None for _, bn in pairs),
        copied=copied,
        max_difference=difference,
        calibration_images=len(images),
    )
    log.info("imported %s from %s: %s", config.model, path, report)
    return model, report
