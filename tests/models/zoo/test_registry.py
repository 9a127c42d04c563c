import pytest
from torch import nn

from models.zoo import UnknownModelError, ZooModel, create_model, list_models, register_model
from models.zoo.registry import model_class

EXPECTED = {"siamese-paper", "classifier-paper", "vgg16", "resnet50", "siamese-fast"}


def test_every_model_is_registered() -> None:
    assert set(list_models()) >= EXPECTED
    assert list_models() == sorted(list_models())


def test_unknown_name_names_the_known_ones() -> None:
    with pytest.raises(UnknownModelError) as info:
        create_model("vgg19")
    assert "vgg19" in str(info.value) and "siamese-fast" in str(info.value)
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)


def test_create_model_keeps_kwargs_and_class_attributes() -> None:
    model = create_model("siamese-paper", input_size=(32, 32))
    assert model.init_kwargs == {"input_size": (32, 32)}
    assert model.model_name == "siamese-paper" and model.kind == "siamese"
    assert model.preprocess_config.input_size == (32, 32)
    assert model_class("resnet50").kind == "classifier"


def test_a_name_registers_once_and_only_zoo_models() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_model("siamese-fast")(type("Other", (ZooModel,), {"kind": "siamese"}))
    with pytest.raises(TypeError, match="ZooModel"):
        register_model("not-a-zoo-model")(nn.Linear)  # type: ignore[type-var]
    assert "not-a-zoo-model" not in list_models()
