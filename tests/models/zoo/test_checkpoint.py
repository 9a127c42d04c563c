from pathlib import Path

import pytest
import torch

from models.zoo import create_model
from models.zoo.checkpoint import load_checkpoint, load_weights, save_checkpoint
from models.zoo.errors import CheckpointError


def test_round_trip(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = create_model("siamese-fast", input_size=(48, 48), embedding_size=16).eval()
    path = save_checkpoint(model, tmp_path / "fast.pt", extra={"epoch": 3, "val_accuracy": 0.9})
    loaded = load_checkpoint(path, expected_model="siamese-fast")
    assert loaded.extra == {"epoch": 3, "val_accuracy": 0.9}
    assert loaded.config == model.preprocess_config == loaded.model.preprocess_config
    assert loaded.model.init_kwargs == {"input_size": (48, 48), "embedding_size": 16}
    x = torch.randn(2, 3, 48, 48)
    with torch.no_grad():
        assert torch.equal(loaded.model(x), model(x))

    fresh = create_model("siamese-fast", input_size=(48, 48), embedding_size=16)
    assert load_weights(fresh, path)["epoch"] == 3
    assert torch.equal(fresh.state_dict()["proj.weight"], model.state_dict()["proj.weight"])


def test_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "none.pt")
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"\x00 not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(garbage)
    plain = tmp_path / "plain.pt"
    torch.save({"weight": torch.zeros(2)}, plain)
    with pytest.raises(CheckpointError, match="not a liftwatch model checkpoint"):
        load_checkpoint(plain)


def _saved(tmp_path: Path, **changes: object) -> Path:
    model = create_model("siamese-paper", input_size=(16, 16))
    path = save_checkpoint(model, tmp_path / "paper.pt")
    payload = torch.load(path, weights_only=True)
    payload.update(changes)
    torch.save(payload, path)
    return path


def test_another_model_or_unknown_name(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    with pytest.raises(CheckpointError, match="holds a 'siamese-paper' model, not 'siamese-fast'"):
        load_checkpoint(path, expected_model="siamese-fast")
    with pytest.raises(CheckpointError, match="not 'siamese-fast'"):
        load_weights(create_model("siamese-fast", input_size=(16, 16)), path)
    with pytest.raises(CheckpointError, match="unknown model 'nope'"):
        load_checkpoint(_saved(tmp_path, model="nope"))
    with pytest.raises(CheckpointError, match="field 'state_dict'"):
        load_checkpoint(_saved(tmp_path, state_dict=[1, 2]))


def test_mismatched_shapes_and_keys(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    with pytest.raises(CheckpointError, match=r"shapes differ: body\.fc\.weight"):
        load_weights(create_model("siamese-paper", input_size=(20, 20)), path)
    state = torch.load(path, weights_only=True)["state_dict"]
    del state["body.fc.bias"]
    with pytest.raises(CheckpointError, match=r"missing keys \['body\.fc\.bias'\]"):
        load_checkpoint(_saved(tmp_path, state_dict=state))
    with pytest.raises(CheckpointError, match="cannot rebuild"):
        load_checkpoint(_saved(tmp_path, kwargs={"depth": 3}))
