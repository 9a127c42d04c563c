"""The model zoo: networks built by name, their preprocessing, losses, decision rule and export.

Importing the package registers every model, so ``create_model(name)`` works after
``import models.zoo``::

    from models.zoo import create_model, list_models

    model = create_model("siamese-fast")
    batch = model.preprocess_config.preprocess(images_bgr)   # (N, 3, 200, 200) float32
    embeddings = model(batch)                                # (N, 64), unit norm
"""

from models.zoo import (
    classifier_fast,
    classifier_paper,
    getnet,
    hashing,
    resnet,
    siamese_fast,
    siamese_paper,
    vgg,
)
from models.zoo.base import ZooModel
from models.zoo.preprocess import PreprocessConfig
from models.zoo.registry import UnknownModelError, create_model, list_models, register_model

__all__ = [
    "PreprocessConfig",
    "UnknownModelError",
    "ZooModel",
    "classifier_fast",
    "classifier_paper",
    "create_model",
    "getnet",
    "hashing",
    "list_models",
    "register_model",
    "resnet",
    "siamese_fast",
    "siamese_paper",
    "vgg",
]
