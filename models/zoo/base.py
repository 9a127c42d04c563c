"""What every zoo model exposes beyond ``nn.Module``.

* ``kind`` (class): ``"siamese"`` (``forward`` returns an embedding (N, D)) or ``"classifier"``
  (``forward`` returns logits (N, num_classes); softmax is applied at inference, not in the graph).
* ``model_name`` (class): the registry name, set by ``register_model``.
* ``preprocess_config`` (instance): the ``PreprocessConfig`` its inputs need.
* ``init_kwargs`` (instance): the keyword arguments it was built with, set by ``create_model``
  (saved in checkpoints so the model can be rebuilt).
"""

from __future__ import annotations

from typing import Any, ClassVar

from torch import nn

from models.zoo.preprocess import Kind, PreprocessConfig


class ZooModel(nn.Module):
    """Base class of the registered models."""

    kind: ClassVar[Kind]
    model_name: ClassVar[str] = ""
    preprocess_config: PreprocessConfig
    init_kwargs: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.init_kwargs = {}


def as_size(input_size: int | tuple[int, int] | list[int]) -> tuple[int, int]:
    """``200`` or ``(200, 200)`` → ``(200, 200)``."""
    if isinstance(input_size, int):
        return (input_size, input_size)
    h, w = input_size
    return (int(h), int(w))
