"""Build models by name (as timm does): ``register_model``, ``create_model``, ``list_models``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from models.zoo.base import ZooModel

log = logging.getLogger(__name__)
M = TypeVar("M", bound=type[ZooModel])
_REGISTRY: dict[str, type[ZooModel]] = {}


class UnknownModelError(KeyError, ValueError):
    """A model name that is not registered; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def register_model(name: str) -> Callable[[M], M]:
    """Class decorator: register a ``ZooModel`` subclass under ``name`` (unique)."""

    def decorate(cls: M) -> M:
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ValueError(f"model {name!r} is already registered by {_REGISTRY[name]!r}")
        if not issubclass(cls, ZooModel):
            raise TypeError(f"{cls!r} must subclass ZooModel to be registered")
        cls.model_name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def list_models() -> list[str]:
    """Registered names, sorted."""
    return sorted(_REGISTRY)


def model_class(name: str) -> type[ZooModel]:
    """The class registered as ``name``; ``UnknownModelError`` names the known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown model {name!r}; known models: {', '.join(list_models())}"
        ) from None


def create_model(name: str, **kwargs: Any) -> ZooModel:
    """Build ``name`` with ``kwargs``; the kwargs are kept on ``model.init_kwargs``."""
    model = model_class(name)(**kwargs)
    model.init_kwargs = dict(kwargs)
    log.debug("created %s with %s", name, kwargs)
    return model
