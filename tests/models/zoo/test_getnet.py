"""GetNet: the (s, tx, ty) spatial transformer, its alternating schedule, the chairlift model."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from models.train.config import TrainConfig
from models.train.optim import make_optimizer
from models.zoo import create_model
from models.zoo.alternating import AlternatingSchedule, apply_phase
from models.zoo.export import OnnxModel, export_onnx
from models.zoo.getnet import GetNet
from models.zoo.losses import ContrastiveLoss
from models.zoo.providers import CPU
from models.zoo.stn import ScaleTranslateSTN, base_grid, crop, theta_of

SIZE = (64, 64)


def getnet(size: tuple[int, int] = SIZE, **kw: object) -> GetNet:
    torch.manual_seed(0)
    model = create_model("getnet", input_size=size, width=0.5, **kw)
    assert isinstance(model, GetNet)
    return model


def set_raw(stn: ScaleTranslateSTN, s: float, tx: float, ty: float) -> None:
    """Make the localisation net output (s, tx, ty) for every input (zero weights, bias)."""
    p = (s - stn.s_min) / (stn.s_max - stn.s_min)
    with torch.no_grad():
        stn.loc.fc2.weight.zero_()
        raw = [math.log(p / (1 - p)), math.atanh(tx / (1 - s)), math.atanh(ty / (1 - s))]
        stn.loc.fc2.bias.copy_(torch.tensor(raw))


def test_shapes_and_crop_size() -> None:
    model = getnet(crop_size=32, embedding_size=16).eval()
    x = torch.randn(3, 3, *SIZE)
    assert model.crops(x).shape == (3, 3, 32, 32)
    out = model(x)
    assert out.shape == (3, 16)
    assert torch.allclose(out.norm(dim=1), torch.ones(3), atol=1e-5)
    assert model.preprocess_config.input_size == SIZE
    assert model.preprocess_config.model == "getnet" and model.kind == "siamese"


def test_identity_at_init() -> None:
    model = getnet().eval()
    x = torch.rand(2, 3, *SIZE)
    with torch.no_grad():
        params = model.stn.params(x)
        assert torch.allclose(params, torch.tensor([[1.0, 0.0, 0.0]] * 2), atol=1e-6)
        assert torch.allclose(model.crops(x), x, atol=1e-5)
    eye = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    assert torch.allclose(theta_of(params[:1]), eye, atol=1e-6)


def test_a_starting_scale_zooms_into_the_centre_for_every_image() -> None:
    torch.manual_seed(0)
    stn = ScaleTranslateSTN(SIZE, SIZE, channels=4, init_scale=0.5).eval()
    with torch.no_grad():
        params = stn.params(torch.rand(3, 3, *SIZE))
    assert torch.allclose(params, torch.tensor([[0.5, 0.0, 0.0]] * 3), atol=1e-6)
    for bad in (0.2, 1.2, 0.0):
        with pytest.raises(ValueError, match="init_scale"):
            ScaleTranslateSTN(SIZE, SIZE, init_scale=bad)


def test_base_grid_is_affine_grids_identity() -> None:
    eye = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    expected = torch.nn.functional.affine_grid(eye, [1, 1, 5, 7], align_corners=False)
    assert torch.allclose(base_grid(5, 7), expected, atol=1e-6)


def test_known_params_crop_the_expected_window() -> None:
    # a 16×16 image whose pixel (r, c) holds 16 r + c: s = 0.5, t = (0.5, −0.5) samples the
    # 8×8 top-right quadrant, pixel centre on pixel centre
    image = torch.arange(256, dtype=torch.float32).reshape(1, 1, 16, 16)
    params = torch.tensor([[0.5, 0.5, -0.5]])
    out = crop(image, params, base_grid(8, 8))
    assert torch.allclose(out, image[..., :8, 8:], atol=1e-4)
    # through the STN module: its localisation net made to output s = 0.5, t = (0.25, −0.25),
    # the 8×8 window at rows 2..9, columns 6..13
    stn = ScaleTranslateSTN((16, 16), (8, 8))
    set_raw(stn, 0.5, 0.25, -0.25)
    rgb = image.expand(1, 3, 16, 16)
    with torch.no_grad():
        assert torch.allclose(stn.params(rgb), torch.tensor([[0.5, 0.25, -0.25]]), atol=1e-5)
        assert torch.allclose(stn(rgb), rgb[..., 2:10, 6:14], atol=1e-3)
    # a bright 4×4 square at rows 10..13, cols 2..5 fills the crop at s = 0.25, t its centre
    square = torch.zeros(1, 3, 16, 16)
    square[..., 10:14, 2:6] = 1.0
    centre = ((2 + 6) / 16 - 1, (10 + 14) / 16 - 1)  # (x, y) normalised
    out = crop(square, torch.tensor([[0.25, *centre]]), base_grid(4, 4))
    assert torch.allclose(out, torch.ones(1, 3, 4, 4), atol=1e-5)


def test_params_stay_within_bounds_and_windows_inside_the_image() -> None:
    stn = ScaleTranslateSTN((16, 16), (16, 16), s_min=0.3, s_max=1.1)
    x = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        stn.loc.fc2.bias.copy_(torch.tensor([1e4, -1e4, 1e4]))
        high = stn.params(x)
        stn.loc.fc2.bias.copy_(torch.tensor([-1e4, 1e4, -1e4]))
        low = stn.params(x)
        stn.loc.fc2.bias.copy_(torch.tensor([0.3, 50.0, -50.0]))
        mid = stn.params(x)
    assert torch.allclose(high[:, 0], torch.tensor(1.1)) and torch.allclose(
        low[:, 0], torch.tensor(0.3)
    )
    # |t| <= |1 − s|: a zoomed-in window never leaves the image, a zoomed-out one holds it all
    assert torch.allclose(low[:, 1:], torch.tensor([0.7, -0.7]), atol=1e-6)
    assert torch.allclose(high[:, 1:].abs(), torch.tensor(0.1), atol=1e-6)
    s = mid[:, 0]
    assert torch.allclose(mid[:, 1], 1 - s) and torch.allclose(mid[:, 2], s - 1)
    edges = torch.stack([mid[:, 1] - s, mid[:, 1] + s, mid[:, 2] - s, mid[:, 2] + s])
    assert float(edges.abs().max()) <= 1 + 1e-6
    with pytest.raises(ValueError, match="s_min"):
        ScaleTranslateSTN((16, 16), (16, 16), s_min=1.0)


def test_lr_scale_scales_the_localisation_gradient_only_in_training() -> None:
    grads = []
    for scale in (1.0, 0.1):
        torch.manual_seed(0)
        stn = ScaleTranslateSTN((16, 16), (16, 16), lr_scale=scale)
        x = torch.rand(2, 3, 16, 16)
        stn(x).square().sum().backward()
        grads.append(stn.loc.fc2.weight.grad.clone())  # type: ignore[union-attr]
    assert grads[0].abs().sum() > 0
    assert torch.allclose(grads[1], 0.1 * grads[0], rtol=1e-4, atol=1e-8)


def test_alternating_schedule() -> None:
    schedule = AlternatingSchedule(warmup=2, stn_epochs=1, joint_epochs=2)
    assert schedule.phases(8) == [
        "joint",
        "joint",
        "stn",
        "joint",
        "joint",
        "stn",
        "joint",
        "joint",
    ]
    assert AlternatingSchedule(0, 2, 1).phases(6) == ["stn", "stn", "joint"] * 2
    assert AlternatingSchedule(1, 0, 1).phases(3) == ["joint"] * 3
    with pytest.raises(ValueError, match="warmup"):
        AlternatingSchedule(warmup=-1)
    with pytest.raises(ValueError, match="> 0"):
        AlternatingSchedule(1, 0, 0)
    with pytest.raises(ValueError, match="phase"):
        apply_phase(torch.nn.Linear(1, 1), torch.nn.Linear(1, 1), "sister")  # type: ignore[arg-type]


def _step(model: GetNet, optimizer: torch.optim.Optimizer) -> None:
    """One contrastive step as ``models.train.fit`` takes it."""
    x = torch.rand(8, 3, *model.preprocess_config.input_size)
    y = model(x)
    loss = ContrastiveLoss()(y[:4], y[4:], torch.tensor([1, 0, 1, 0]))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


def _snapshot(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def _changed(module: torch.nn.Module, before: dict[str, torch.Tensor]) -> set[str]:
    return {k for k, v in module.named_parameters() if not torch.equal(v, before[k])}


def test_the_alternating_phases_freeze_exactly_the_sister() -> None:
    model = getnet((32, 32), warmup=1, stn_epochs=1, joint_epochs=1).train()
    # as in fit: the optimiser is built once, on every parameter, before the first phase
    optimizer = make_optimizer(model, TrainConfig(), lr=0.05)
    assert model.begin_epoch(0) == "joint"
    _step(model, optimizer)  # a joint step first: momentum buffers exist for every parameter

    assert model.begin_epoch(1) == "stn"
    assert all(p.requires_grad for p in model.stn.parameters())
    assert not any(p.requires_grad for p in model.sister.parameters())
    sister, stn = _snapshot(model.sister), _snapshot(model.stn)
    _step(model, optimizer)
    assert _changed(model.sister, sister) == set()  # not even by momentum
    assert "loc.fc2.weight" in _changed(model.stn, stn)

    assert model.begin_epoch(2) == "joint"
    assert all(p.requires_grad for p in model.parameters())
    sister, stn = _snapshot(model.sister), _snapshot(model.stn)
    _step(model, optimizer)
    assert "proj.weight" in _changed(model.sister, sister)
    assert "loc.fc2.weight" in _changed(model.stn, stn)


@pytest.mark.slow
def test_onnx_parity_with_a_non_identity_stn(tmp_path: Path) -> None:
    model = getnet().eval()
    with torch.no_grad():  # input-dependent crops: s, tx, ty vary from image to image
        model.stn.loc.fc2.weight.normal_(0, 0.2)
        model.stn.loc.fc2.bias.copy_(torch.tensor([-1.0, 0.4, -0.6]))
    x = torch.rand(4, 3, *SIZE) * 2 - 1
    with torch.no_grad():
        params = model.stn.params(x)
        expected = model(x).numpy()
    assert float(params[:, 0].max()) < 0.9 and float(params[:, 1:].abs().min()) > 0.01
    runtime = OnnxModel(export_onnx(model, tmp_path / "getnet.onnx"), providers=[CPU])
    out = runtime.embed(x)
    assert out.shape == expected.shape
    assert float(np.abs(out - expected).max()) <= 1e-4


def test_chairlift_crops_picture_is_written(tmp_path: Path) -> None:
    from models.evaluate.getnet_crops import save_chairlift_crops

    model = create_model("getnet", input_size=32)
    images = torch.rand(2, 3, 32, 32)
    path = save_chairlift_crops(model, images, ["open", "closed"], tmp_path / "c.png")  # type: ignore[arg-type]
    assert path.stat().st_size > 0 and path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_a_heatmap_getnet_exports_and_its_window_follows_the_map(tmp_path: Path) -> None:
    model = getnet(localiser="heatmap", stn_init_scale=0.6, stn_s_max=0.9).eval()
    assert type(model.stn).__name__ == "HeatmapSTN"
    with torch.no_grad():  # a map that varies with the image: windows differ image to image
        model.stn.heat.weight.normal_(0, 2.0)
    x = torch.rand(4, 3, *SIZE) * 2 - 1
    with torch.no_grad():
        params = model.stn.params(x)
        expected = model(x).numpy()
    assert params[:, 0].tolist() == pytest.approx([0.6] * 4, abs=1e-5)
    assert float(params[:, 1:].std()) > 1e-3
    runtime = OnnxModel(export_onnx(model, tmp_path / "getnet.onnx"), providers=[CPU])
    assert float(np.abs(runtime.embed(x) - expected).max()) <= 1e-4
    with pytest.raises(ValueError, match="localiser must be"):
        getnet(localiser="grid")


def test_model_args_are_checked_against_the_model() -> None:
    from models.zoo.model_args import parse_model_args

    kwargs = parse_model_args("getnet", ["localiser=heatmap", "stn_s_max=0.9", "warmup=3"])
    assert kwargs == {"localiser": "heatmap", "stn_s_max": 0.9, "warmup": 3}
    with pytest.raises(ValueError, match="getnet takes no such argument; it takes"):
        parse_model_args("getnet", ["depth=3"])
    with pytest.raises(ValueError, match="must read KEY=VALUE"):
        parse_model_args("getnet", ["localiser"])
    with pytest.raises(ValueError, match="given twice"):
        parse_model_args("getnet", ["warmup=1", "warmup=2"])
    with pytest.raises(ValueError, match="no such argument"):
        parse_model_args("getnet", ["input_size=64"])  # --input-size sets it
    assert parse_model_args("getnet", ["stn_init_scale=1"]) == {"stn_init_scale": 1.0}
    with pytest.raises(ValueError, match="stn_s_max: a number expected, got 'abc'"):
        parse_model_args("getnet", ["stn_s_max=abc"])
    with pytest.raises(ValueError, match="warmup: a whole number expected"):
        parse_model_args("getnet", ["warmup=1.5"])
    with pytest.raises(ValueError, match="a number expected, got 'true'"):
        parse_model_args("getnet", ["warmup=true"])


def test_model_args_of_a_json_request_are_checked_the_same_way() -> None:
    from models.zoo.model_args import check_model_args

    given = {"localiser": "heatmap", "stn_s_max": 0.9, "warmup": 3, "stn_init_scale": 1}
    assert check_model_args("getnet", given) == {
        "localiser": "heatmap",
        "stn_s_max": 0.9,
        "warmup": 3,
        "stn_init_scale": 1.0,
    }
    with pytest.raises(ValueError, match=r"model_args\.depth: getnet takes no such argument"):
        check_model_args("getnet", {"depth": 3})
    with pytest.raises(ValueError, match=r"model_args\.warmup: a whole number expected"):
        check_model_args("getnet", {"warmup": 1.5})
    with pytest.raises(ValueError, match=r"model_args\.warmup: a number expected, got 'true'"):
        check_model_args("getnet", {"warmup": True})
    with pytest.raises(ValueError, match=r"model_args\.stn_s_max: a number expected, got '0\.9'"):
        check_model_args("getnet", {"stn_s_max": "0.9"})
