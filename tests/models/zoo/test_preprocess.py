import numpy as np
import pytest
import torch

from models.zoo.preprocess import PreprocessConfig, mask_to_input, preprocess


def config(**kw: object) -> PreprocessConfig:
    base: dict[str, object] = {"model": "m", "kind": "siamese", "embedding_size": 2}
    return PreprocessConfig(**{**base, **kw})  # type: ignore[arg-type]


def test_bgr_becomes_normalised_rgb_nchw() -> None:
    image = np.zeros((4, 4, 3), np.uint8)
    image[..., 0] = 255  # blue in BGR
    cfg = config(input_size=(4, 4), mean=(0.0, 0.5, 0.5), std=(1.0, 0.5, 0.25))
    x = preprocess(image, cfg)
    assert x.shape == (1, 3, 4, 4) and x.dtype == torch.float32
    assert torch.allclose(x[0, :, 0, 0], torch.tensor([0.0, -1.0, 2.0]))  # R, G, B


def test_resizes_to_the_input_size_and_keeps_the_batch() -> None:
    images = np.full((3, 200, 200, 3), 128, np.uint8)
    x = config(input_size=(64, 48)).preprocess(images)
    assert x.shape == (3, 3, 64, 48)
    assert torch.allclose(x, torch.full_like(x, (128 / 255 - 0.5) / 0.5), atol=1e-6)


def test_mask_goes_to_three_identical_channels() -> None:
    mask = np.zeros((200, 200), np.uint8)
    mask[:100] = 255
    cfg = config(input_size=(200, 200))
    x = mask_to_input(mask, cfg)
    assert x.shape == (1, 3, 200, 200)
    assert torch.equal(x[0, 0], x[0, 1]) and torch.equal(x[0, 1], x[0, 2])
    assert x[0, 0, 0, 0] == 1.0 and x[0, 0, 199, 0] == -1.0
    assert cfg.mask_to_input(np.stack([mask, mask])).shape == (2, 3, 200, 200)
    with pytest.raises(ValueError, match="0/255"):
        cfg.mask_to_input(mask // 255)


@pytest.mark.parametrize(
    "bad",
    [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.float32), np.zeros((1, 4, 4, 4), np.uint8)],
)
def test_rejects_what_is_not_a_bgr_uint8_image(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="BGR uint8"):
        preprocess(bad, config())


def test_json_round_trip_and_validation() -> None:
    cfg = config(input_size=(64, 64), mean=(0.1, 0.2, 0.3))
    again = PreprocessConfig.from_json(cfg.to_json())
    assert again == cfg and hash(again) == hash(cfg)
    assert again.class_map == {0: "closed", 1: "open"}
    with pytest.raises(ValueError, match="unknown"):
        PreprocessConfig.from_dict({**cfg.to_dict(), "colour": "blue"})
    with pytest.raises(ValueError, match="embedding_size"):
        PreprocessConfig(model="m", kind="siamese")
    with pytest.raises(ValueError, match="num_classes"):
        PreprocessConfig(model="m", kind="classifier")
    with pytest.raises(ValueError, match="kind"):
        PreprocessConfig(model="m", kind="detector", num_classes=2)  # type: ignore[arg-type]
