"""ONNX graph surgery: expose an exported model's last feature map as a second output.

Dist-CAM needs the spatial map that the network's global average pooling reduces to the vector
its head works on. Every exported zoo model with such a pooling (``siamese-fast``: ``ReduceMean``
over axes 2, 3; torch's ``AdaptiveAvgPool2d(1)``: ``GlobalAveragePool``) has that map as a tensor
inside the graph; ``add_feature_output`` finds the *last* such pooling in the (topologically
sorted) graph and adds its input as the graph output ``"features"`` (N, K, h, w). Nothing else
changes, so the first output (the embedding or logits) is bit-for-bit what it was.

A model without a global average pooling (``siamese-paper``: max-pooling and a fully connected
layer over every position) has no such map: ``FeatureSurgeryError`` says so.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from models.zoo.export import INPUT_NAME, OUTPUT_NAMES, read_config
from models.zoo.preprocess import PreprocessConfig
from models.zoo.providers import select_providers

log = logging.getLogger(__name__)
FEATURES_OUTPUT = "features"
SPATIAL_AXES = ({2, 3}, {-2, -1})


class FeatureSurgeryError(ValueError):
    """An ONNX model whose last feature map cannot be exposed; the message says why."""


def _constants(graph: onnx.GraphProto) -> dict[str, np.ndarray]:
    found = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute:
            found[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    return found


def _reduces_spatially(node: onnx.NodeProto, constants: dict[str, np.ndarray]) -> bool:
    if node.op_type == "GlobalAveragePool":
        return True
    if node.op_type != "ReduceMean":
        return False
    axes: list[int] | None = None
    for attr in node.attribute:
        if attr.name == "axes":
            axes = list(helper.get_attribute_value(attr))
    if axes is None and len(node.input) > 1 and node.input[1] in constants:  # opset >= 18
        axes = [int(a) for a in constants[node.input[1]].ravel()]
    return axes is not None and set(axes) in SPATIAL_AXES


def feature_tensor(model: onnx.ModelProto) -> str:
    """The name of the tensor the last global average pooling reads."""
    constants = _constants(model.graph)
    pools = [n for n in model.graph.node if _reduces_spatially(n, constants)]
    if not pools:
        raise FeatureSurgeryError(
            "the model has no global average pooling (GlobalAveragePool or ReduceMean over "
            "axes 2, 3): it has no last feature map for Dist-CAM"
        )
    return str(pools[-1].input[0])


def add_feature_output(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of ``model`` with the last feature map added as output ``"features"``."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    if any(o.name == FEATURES_OUTPUT for o in out.graph.output):
        return out
    name = feature_tensor(out)
    identity = helper.make_node("Identity", [name], [FEATURES_OUTPUT], name="liftwatch_features")
    out.graph.node.append(identity)
    out.graph.output.append(
        helper.make_tensor_value_info(
            FEATURES_OUTPUT, TensorProto.FLOAT, ["batch", "channels", "height", "width"]
        )
    )
    onnx.checker.check_model(out)
    log.debug("exposed %s as %s", name, FEATURES_OUTPUT)
    return out


class FeatureOnnxModel:
    """An exported zoo model run with its feature map exposed: ``run`` → (main output, features).

    ``threads``: ONNX Runtime's intra-op threads (None: its default).
    """

    def __init__(
        self, path: str | Path, providers: list[str] | None = None, threads: int | None = None
    ) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FeatureSurgeryError(f"ONNX model {self.path} does not exist")
        try:
            proto = onnx.load(str(self.path))
        except Exception as exc:  # protobuf's DecodeError and OSError alike
            raise FeatureSurgeryError(f"{self.path} is not a readable ONNX model: {exc}") from exc
        metadata = {p.key: p.value for p in proto.metadata_props}
        self.config: PreprocessConfig = read_config(self.path, metadata)
        try:
            surgered = add_feature_output(proto)
        except FeatureSurgeryError as exc:
            raise FeatureSurgeryError(f"{self.path}: {exc}") from exc
        options = ort.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            surgered.SerializeToString(), options, providers=providers or select_providers()
        )
        self.output_name = OUTPUT_NAMES[self.config.kind]

    def run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(main output (N, D), features (N, K, h, w)) of a preprocessed (N, 3, H, W) batch."""
        x = np.ascontiguousarray(batch, dtype=np.float32)
        expected = (3, *self.config.input_size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(f"batch must be (N, {', '.join(map(str, expected))}), got {x.shape}")
        main, feats = self.session.run([self.output_name, FEATURES_OUTPUT], {INPUT_NAME: x})
        return np.asarray(main), np.asarray(feats)
