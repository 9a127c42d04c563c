from pathlib import Path

import pytest
import torch

from models.zoo import create_model, list_models
from models.zoo.errors import CheckpointError
from models.zoo.hash_classes import class_map
from models.zoo.hashing import HashingModel
from models.zoo.siamese_fast import SiameseFast

SMALL = (64, 64)


@pytest.mark.parametrize("name", list_models())
def test_forward_backward_at_a_small_size(name: str) -> None:
    torch.manual_seed(0)
    model = create_model(name, input_size=SMALL)
    cfg = model.preprocess_config
    assert cfg.model == name and cfg.kind == model.kind and cfg.input_size == SMALL
    if isinstance(model, HashingModel):  # lift × bar-state classes (models.zoo.hash_classes)
        assert cfg.class_map == class_map(int(cfg.num_classes or 0))
    else:
        assert cfg.class_map == {0: "closed", 1: "open"}
    out = model(torch.randn(2, 3, *SMALL))
    width = cfg.embedding_size if model.kind == "siamese" else cfg.num_classes
    assert out.shape == (2, width) and torch.isfinite(out).all()
    out.square().sum().backward()
    # hashing-psp's segmentation head is not on the logits' path (its own loss trains it)
    grads = [p.grad for n, p in model.named_parameters() if p.requires_grad and "seg_head" not in n]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    if name == "siamese-fast":
        assert torch.allclose(out.norm(dim=1), torch.ones(2), atol=1e-5)


def test_siamese_fast_keeps_its_feature_map_and_any_size() -> None:
    model = create_model("siamese-fast").eval()
    assert isinstance(model, SiameseFast)
    x = torch.randn(1, 3, 200, 200)
    with torch.no_grad():
        feats = model.features(x)
        assert feats.shape == (1, model.feature_channels, 7, 7)
        assert torch.allclose(model.embed_features(feats), model(x))
        assert model(torch.randn(3, 3, 120, 90)).shape == (3, 64)


def test_paper_models_share_one_body() -> None:
    siamese, classifier = create_model("siamese-paper"), create_model("classifier-paper")
    assert [p.shape for p in siamese.parameters()] == [p.shape for p in classifier.parameters()]
    assert siamese.preprocess_config.embedding_size == 2
    assert classifier.preprocess_config.num_classes == 2


def test_torchvision_key_names() -> None:
    with torch.device("meta"):
        vgg = create_model("vgg16", head="torchvision").state_dict()
        vgg_bn = create_model("vgg16", batch_norm=True).state_dict()
        resnet = create_model("resnet50").state_dict()
    convs = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
    assert {f"features.{i}.weight" for i in convs} <= set(vgg)
    assert {f"classifier.{i}.weight" for i in (0, 3, 6)} <= set(vgg) and len(vgg) == 32
    assert "features.40.weight" in vgg_bn and "features.41.running_var" in vgg_bn
    assert len([k for k in vgg_bn if k.startswith("features.")]) == 13 * 2 + 13 * 5
    assert len(resnet) == 320  # torchvision's resnet50 state dict, num_batches_tracked included
    for key in ("conv1.weight", "layer1.0.downsample.0.weight", "layer4.2.bn3.running_var"):
        assert key in resnet
    assert resnet["layer2.0.conv2.weight"].shape == (128, 128, 3, 3)


def test_pretrained_backbone_loads_strictly_and_skips_the_head(tmp_path: Path) -> None:
    torch.manual_seed(0)
    source = create_model("resnet50", input_size=SMALL)
    state = source.state_dict()
    state["fc.weight"], state["fc.bias"] = torch.zeros(1000, 2048), torch.zeros(1000)
    path = tmp_path / "imagenet.pth"
    torch.save(state, path)
    model = create_model("resnet50", input_size=SMALL, pretrained=str(path))
    loaded = model.state_dict()
    assert torch.equal(
        loaded["layer3.2.conv2.weight"], source.state_dict()["layer3.2.conv2.weight"]
    )
    assert loaded["fc.weight"].shape == (2, 2048)

    del state["layer1.0.conv1.weight"]
    state["layer9.weight"] = torch.zeros(1)
    torch.save(state, path)
    with pytest.raises(CheckpointError, match=r"layer1\.0\.conv1\.weight.*layer9\.weight"):
        create_model("resnet50", pretrained=str(path))


def test_pretrained_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="does not exist"):
        create_model("vgg16", pretrained=str(tmp_path / "none.pth"))
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not a torch file")
    with pytest.raises(CheckpointError, match="not a readable"):
        create_model("vgg16", pretrained=str(bad))
    with torch.device("meta"):
        plain = create_model("vgg16").state_dict()
    torch.save(
        {k: torch.zeros(v.shape) for k, v in plain.items() if k.startswith("features.")}, bad
    )
    with pytest.raises(CheckpointError, match=r"missing keys: \[features\.1\.bias"):
        create_model("vgg16", batch_norm=True, pretrained=str(bad))
