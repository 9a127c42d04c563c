"""Pairing training end to end on tiny synthetic digits; the threshold rule; the schedule."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from models.pairing.data import PairingData
from models.pairing.figure import save_crops_figure, save_errors_figure
from models.pairing.localisation import digit_centres, window_centres, window_errors
from models.pairing.mnist import Digits
from models.pairing.nets import PairingNet
from models.pairing.train import (
    PairingConfig,
    accuracy_at,
    best_threshold,
    build,
    evaluate_pairing,
    load,
    load_stn,
    save,
    train_pairing,
)
from models.train.log import EpochLog


def tiny_digits(per_class: int = 8) -> Digits:
    """Ten classes of blocky "digits": class k is a bar at column 2k+2."""
    images = np.zeros((10 * per_class, 28, 28), np.uint8)
    labels = np.repeat(np.arange(10), per_class)
    for i, k in enumerate(labels):
        images[i, 4:24, 2 * k + 2 : 2 * k + 6] = 255
    return Digits(images, labels)


def test_best_threshold_separates_and_counts() -> None:
    d = torch.tensor([0.1, 0.2, 0.3, 0.9, 1.0, 0.25])
    same = torch.tensor([1, 1, 0, 0, 0, 1])
    threshold, acc = best_threshold(d, same)
    assert acc == 1.0 and threshold == pytest.approx(0.275)
    assert accuracy_at(d, same, threshold) == 1.0
    # not separable: the best cut gets 5 of 6 (the first such cut, between 1 and 2)
    d = torch.tensor([6.0, 5, 4, 3, 2, 1])
    same = torch.tensor([0, 0, 0, 1, 0, 1])
    threshold, acc = best_threshold(d, same)
    assert acc == pytest.approx(5 / 6) and threshold == pytest.approx(1.5)
    assert accuracy_at(d, same, threshold) == pytest.approx(5 / 6)
    assert best_threshold(torch.tensor([1.0, 2.0]), torch.tensor([0, 0]))[1] == 1.0


def test_getnet_phases_follow_the_schedule() -> None:
    config = PairingConfig(model="getnet", warmup=1, stn_epochs=1, joint_epochs=1)
    assert [config.phase(e) for e in range(4)] == ["joint", "stn", "joint", "stn"]
    assert [PairingConfig(model="siamese").phase(e) for e in range(4)] == ["joint"] * 4
    net = PairingNet("getnet", 60)
    net.set_phase("stn")
    assert not any(p.requires_grad for p in net.sister.parameters())
    assert net.stn is not None and all(p.requires_grad for p in net.stn.parameters())
    with pytest.raises(ValueError, match="model must be"):
        PairingConfig(model="resnet")


@pytest.mark.slow
def test_train_save_evaluate_and_draw(tmp_path: Path) -> None:
    data = PairingData(tiny_digits(), 40, 0.3, val_per_class=2, test_per_class=2)
    config = PairingConfig(
        model="getnet", epochs=2, canvas=40, batch_size=16, warmup=1, stn_epochs=1
    )
    result = train_pairing(config, tmp_path, data=data)
    assert [h["phase"] for h in result["history"]] == ["joint", "stn"]
    assert result["test_pairs"] == 40 and 0.0 <= result["test_accuracy"] <= 1.0
    saved = json.loads((tmp_path / "result.json").read_text())
    assert saved["test_accuracy"] == result["test_accuracy"]
    epochs = EpochLog(tmp_path / "log.jsonl").read()  # what a pairing job's progress reads
    assert [(e["epoch"], e["phase"]) for e in epochs] == [(1, "joint"), (2, "stn")]
    assert [e["val_accuracy"] for e in epochs] == [h["val_accuracy"] for h in result["history"]]
    again = evaluate_pairing(tmp_path / "model.pt", data=data)
    assert again["test_accuracy"] == pytest.approx(result["test_accuracy"])
    net, _, _ = load(tmp_path / "model.pt")
    png = save_crops_figure(net, data.test.canvases[:3], tmp_path / "crops.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(FileNotFoundError, match="do not exist"):
        evaluate_pairing(tmp_path / "none.pt", data=data)


def test_the_cnn_sister_embeds_a_digit_wherever_it_lies() -> None:
    torch.manual_seed(0)
    net = PairingNet("siamese", 60, embedding_size=16, sister="cnn").eval()
    canvas = torch.zeros(2, 1, 60, 60)
    canvas[0, 0, 8:24, 8:16] = 1.0  # the same stroke, at two places 24 px apart
    canvas[1, 0, 32:48, 32:40] = 1.0
    with torch.no_grad():
        a, b = net(canvas)
    assert a.shape == (16,)
    # the global max-pool: a shift by a multiple of the pooling grid (8) changes nothing
    assert torch.allclose(a, b, atol=1e-5)
    lenet = PairingNet("siamese", 60, embedding_size=16).eval()
    with torch.no_grad():
        a, b = lenet(canvas)
    assert not torch.allclose(a, b, atol=1e-3)  # the fully connected head sees the place
    with pytest.raises(ValueError, match="sister must be"):
        PairingConfig(sister="vgg")
    with pytest.raises(ValueError, match="sister must be"):
        PairingNet("siamese", 60, sister="vgg")  # type: ignore[arg-type]


@pytest.mark.slow
def test_a_cnn_sister_run_is_saved_and_loaded_with_its_sister(tmp_path: Path) -> None:
    data = PairingData(tiny_digits(), 40, 0.3, val_per_class=2, test_per_class=2)
    config = PairingConfig(model="siamese", sister="cnn", epochs=1, canvas=40, batch_size=16)
    result = train_pairing(config, tmp_path, data=data)
    net, loaded, _ = load(tmp_path / "model.pt")
    assert loaded.sister == "cnn" and type(net.sister).__name__ == "ConvSister"
    again = evaluate_pairing(tmp_path / "model.pt", data=data)
    assert again["test_accuracy"] == pytest.approx(result["test_accuracy"])


@pytest.mark.slow
def test_a_cosine_schedule_anneals_the_rate_every_epoch(tmp_path: Path) -> None:
    data = PairingData(tiny_digits(), 40, 0.3, val_per_class=2, test_per_class=2)
    config = PairingConfig(
        model="siamese", epochs=4, canvas=40, batch_size=16, lr=1e-3, lr_schedule="cosine"
    )
    rates = [h["lr"] for h in train_pairing(config, tmp_path, data=data)["history"]]
    # cos(pi * e / 4) annealing from 1e-3: 1, 0.854, 0.5, 0.146 of it
    assert rates == pytest.approx([1e-3, 8.5355e-4, 5e-4, 1.4645e-4], rel=1e-3)
    flat = PairingConfig(model="siamese", epochs=2, canvas=40, batch_size=16)
    assert [h["lr"] for h in train_pairing(flat, tmp_path, data=data)["history"]] == [1e-3] * 2
    with pytest.raises(ValueError, match="lr_schedule must be"):
        PairingConfig(lr_schedule="step")


def test_window_errors_measure_pixels_from_the_digit() -> None:
    # (s, tx, ty) = (0.5, 0, 0) on a 60² canvas: the window's centre is pixel (29.5, 29.5)
    params = np.array([[0.5, 0.0, 0.0], [0.5, -1.0, 1.0]])
    assert window_centres(params, 60).tolist() == [[29.5, 29.5], [59.5, -0.5]]
    assert digit_centres(np.array([[16, 2]])).tolist() == [[29.5, 15.5]]
    # an untrained heatmap STN looks at the centre: its error is the canvas centre's
    data = PairingData(tiny_digits(), 40, 0.3, val_per_class=2, test_per_class=2)
    torch.manual_seed(0)
    net = PairingNet("getnet", 40, stn_init_scale=0.6, localiser="heatmap", stn_s_max=0.9)
    errors = window_errors(net, data.test)
    centre = np.linalg.norm(digit_centres(data.test.corners) - 19.5, axis=1)
    assert errors["canvases"] == 20 and errors["mean_scale"] == pytest.approx(0.6, abs=1e-5)
    assert errors["mean_px"] == pytest.approx(centre.mean(), abs=1e-3)
    assert errors["canvas_centre_mean_px"] == pytest.approx(centre.mean())
    with pytest.raises(ValueError, match="stn_localiser must be"):
        PairingConfig(stn_localiser="grid")
    with pytest.raises(ValueError, match="stn_init_scale must lie"):
        PairingConfig(stn_init_scale=0.95, stn_s_max=0.9)


@pytest.mark.slow
def test_a_heatmap_getnet_run_reports_where_its_window_lies(tmp_path: Path) -> None:
    data = PairingData(tiny_digits(), 40, 0.3, val_per_class=2, test_per_class=2)
    config = PairingConfig(
        model="getnet",
        epochs=2,
        canvas=40,
        batch_size=16,
        warmup=1,
        stn_localiser="heatmap",
        stn_init_scale=0.6,
        stn_s_max=0.9,
    )
    result = train_pairing(config, tmp_path, data=data)
    assert all(h["val_window_px"] >= 0 for h in result["history"])
    assert 0.2 < result["test_window"]["mean_scale"] <= 0.9
    net, loaded, _ = load(tmp_path / "model.pt")
    assert loaded.stn_localiser == "heatmap" and type(net.stn).__name__ == "HeatmapSTN"
    again = evaluate_pairing(tmp_path / "model.pt", data=data)
    assert again["test_window"] == pytest.approx(result["test_window"])
    siamese = PairingConfig(model="siamese", epochs=1, canvas=40, batch_size=16)
    assert train_pairing(siamese, tmp_path / "s", data=data)["test_window"] is None


def test_a_noise_curriculum_darkens_only_the_first_training_canvases(tmp_path: Path) -> None:
    config = PairingConfig(model="siamese", epochs=4, canvas=40, batch_size=16, noise_warmup=2)
    assert [config.train_noise(e) for e in range(4)] == [0.0, 0.25, 0.5, 0.5]
    assert PairingConfig().train_noise(0) == 0.5  # no curriculum: full noise from the start
    data = PairingData(tiny_digits(), 40, 0.5, val_per_class=2, test_per_class=2)
    first, later = data.train_epoch(0, 0, 0.0), data.train_epoch(0, 0, 0.5)
    # the same digits, places and partners: only the background changes
    assert np.array_equal(first.corners, later.corners)
    assert np.array_equal(first.pairs.a, later.pairs.a)
    assert first.canvases.sum() < later.canvases.sum()
    assert set(first.canvases.unique().tolist()) <= {0.0, 1.0}  # the bars alone, no noise
    history = train_pairing(config, tmp_path, data=data)["history"]
    assert [h["noise"] for h in history] == [0.0, 0.25, 0.5, 0.5]
    background = data.val.canvases[data.val.canvases < 1]
    assert background.max() > 0.45  # validation canvases keep their full noise
    with pytest.raises(ValueError, match="noise_warmup must be"):
        PairingConfig(noise_warmup=-1)
    with pytest.raises(ValueError, match="noise must lie"):
        PairingConfig(noise=1.5)


def test_an_stn_is_carried_from_one_getnet_run_to_another(tmp_path: Path) -> None:
    heatmap = {"canvas": 40, "stn_localiser": "heatmap", "stn_init_scale": 0.6, "stn_s_max": 0.9}
    source = PairingConfig(model="getnet", seed=1, **heatmap)  # type: ignore[arg-type]
    net = build(source)
    assert net.stn is not None
    with torch.no_grad():
        for p in net.stn.parameters():
            p.add_(0.5)
    save(net, source, 1.0, tmp_path / "source")
    weights = tmp_path / "source" / "model.pt"
    target = PairingConfig(
        model="getnet",
        sister="cnn",
        seed=2,
        stn_from=str(weights),
        **heatmap,  # type: ignore[arg-type]
    )
    carried = build(target)
    assert carried.stn is not None
    assert not torch.equal(carried.stn.heat.weight, net.stn.heat.weight)
    load_stn(carried, weights, target)
    for name, value in net.stn.state_dict().items():
        assert torch.equal(carried.stn.state_dict()[name], value), name
    regress = PairingConfig(model="getnet", canvas=40, stn_from=str(weights))
    with pytest.raises(ValueError, match="stn_localiser 'heatmap', this run 'regress'"):
        load_stn(build(regress), weights, regress)
    siamese = PairingConfig(model="siamese", canvas=40)
    save(build(siamese), siamese, 1.0, tmp_path / "siamese")
    with pytest.raises(ValueError, match="it has no STN"):
        load_stn(carried, tmp_path / "siamese" / "model.pt", target)
    with pytest.raises(ValueError, match="stn_from needs model getnet"):
        PairingConfig(model="siamese", stn_from=str(weights))


def test_a_frozen_carried_stn_stays_as_it_came_while_the_sister_learns(tmp_path: Path) -> None:
    heatmap = {"canvas": 40, "stn_localiser": "heatmap", "stn_init_scale": 0.6, "stn_s_max": 0.9}
    source = PairingConfig(model="getnet", **heatmap)  # type: ignore[arg-type]
    net = build(source)
    assert net.stn is not None
    with torch.no_grad():
        for p in net.stn.parameters():
            p.add_(0.1)
    net.stn.features[0][1].running_mean.fill_(0.3)  # BatchNorm statistics of the source run
    save(net, source, 1.0, tmp_path / "source")
    config = PairingConfig(
        model="getnet",
        epochs=3,
        batch_size=16,
        warmup=1,
        stn_from=str(tmp_path / "source" / "model.pt"),
        freeze_stn=True,
        crop=24,
        **heatmap,  # type: ignore[arg-type]
    )
    assert [config.phase(e) for e in range(3)] == ["joint"] * 3  # no STN-only epoch: all sister
    data = PairingData(tiny_digits(), 40, 0.3, val_per_class=2, test_per_class=2)
    train_pairing(config, tmp_path / "run", data=data)
    trained, loaded, _ = load(tmp_path / "run" / "model.pt")
    assert loaded.freeze_stn and loaded.crop == 24
    assert trained.stn is not None
    for name, value in net.stn.state_dict().items():  # weights and BatchNorm buffers alike
        assert torch.equal(trained.stn.state_dict()[name], value), name
    assert trained.crops(data.test.canvases[:2]).shape == (2, 1, 24, 24)
    start = dict(build(config).sister.named_parameters())
    for name, value in trained.sister.named_parameters():  # the sister learnt, on 24² crops
        # (the last bias moves both embeddings of a pair alike: the loss gives it no gradient)
        assert name == "head.2.bias" or not torch.equal(start[name], value), name
    with pytest.raises(ValueError, match="freeze_stn needs stn_from"):
        PairingConfig(model="getnet", freeze_stn=True)
    with pytest.raises(ValueError, match="crop needs model getnet"):
        PairingConfig(model="siamese", crop=32)
    with pytest.raises(ValueError, match=r"crop must lie in \[16, canvas = 60\], got 61"):
        PairingConfig(model="getnet", crop=61)


def test_the_errors_figure_counts_and_draws_the_wrong_pairs(tmp_path: Path) -> None:
    data = PairingData(tiny_digits(), 40, 0.3, val_per_class=2, test_per_class=2)
    net = build(PairingConfig(model="getnet", canvas=40, crop=24))
    different = int((data.test.pairs.same == 0).sum())
    # every pair judged "same" (any distance is below it): exactly the different pairs are wrong
    png, wrong = save_errors_figure(net, data.test, float("inf"), tmp_path / "e.png", count=5)
    assert wrong == different == 20 and png.read_bytes()[:4] == b"\x89PNG"
    _, wrong = save_errors_figure(net, data.test, 0.0, tmp_path / "none.png")  # all "different"
    assert wrong == len(data.test.pairs) - different


@pytest.mark.slow
def test_keep_last_keeps_the_final_epoch_and_best_the_first_best_one(tmp_path: Path) -> None:
    data = PairingData(tiny_digits(), 40, 0.3, val_per_class=2, test_per_class=2)
    runs = {}
    for keep in ("best", "last"):
        config = PairingConfig(model="siamese", epochs=4, canvas=40, batch_size=16, keep=keep)
        runs[keep] = train_pairing(config, tmp_path / keep, data=data)
    best, last = runs["best"], runs["last"]
    same_run = [{k: v for k, v in h.items() if k != "seconds"} for h in best["history"]]
    assert same_run == [{k: v for k, v in h.items() if k != "seconds"} for h in last["history"]]
    vals = [h["val_accuracy"] for h in best["history"]]
    assert best["kept_epoch"] == best["best_epoch"] == 1 + vals.index(max(vals))
    assert last["kept_epoch"] == 4 and last["best_epoch"] == best["best_epoch"]
    assert last["threshold"] == last["history"][-1]["threshold"]
    assert last["val_accuracy"] == vals[-1] and best["val_accuracy"] == max(vals)
    # both epochs' test accuracies are recorded whichever is kept
    assert best["keep_rules"] == last["keep_rules"]
    assert last["keep_rules"]["last"]["epoch"] == 4
    assert best["keep_rules"]["best"]["epoch"] == best["best_epoch"]
    for result in (best, last):
        assert result["test_accuracy"] == result["keep_rules"][result["keep"]]["test_accuracy"]
    for keep, result in runs.items():
        again = evaluate_pairing(tmp_path / keep / "model.pt", data=data)
        assert again["test_accuracy"] == pytest.approx(result["test_accuracy"])
    with pytest.raises(ValueError, match="keep must be one of best, last, average"):
        PairingConfig(keep="median")
