import json
from pathlib import Path

import numpy as np
import pytest

from models.synthetic.splits import leave_lifts_out
from models.train.data import load_data
from models.train.presets import DataSpecError, parse_lifts, parse_preset
from tests.models.train.helpers import TINY, tiny_data, write_tiny_dataset


def test_presets_parse() -> None:
    small = parse_preset("synthetic:small")
    assert small.variant == "small" and small.lifts == tuple(range(1, 21))
    assert small.seed == 0 and small.test_scale == 1.0
    spec = parse_preset("synthetic:large:seed=3,test_scale=0.05,train_scale=0.1,lifts=4")
    assert spec.variant == "large" and spec.seed == 3 and spec.lifts == (1, 2, 3, 4)
    assert spec.test_scale == 0.05 and spec.train_scale == 0.1
    spec = parse_preset("synthetic:small: difficulty = 0 , world_seed=2")
    assert spec.difficulty == 0.0 and spec.world_seed == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("synthetic", "synthetic:small or synthetic:large"),
        ("synthetic:", "synthetic:small or synthetic:large"),
        ("synthetic:medium", "unknown preset variant 'medium'"),
        ("synthetic:small:seed", "must read key=value"),
        ("synthetic:small:seed=", "must read key=value"),
        ("synthetic:small:colour=red", "unknown preset option 'colour'"),
        ("synthetic:small:seed=1,seed=2", "given twice"),
        ("synthetic:small:seed=one", "seed must be an integer"),
        ("synthetic:small:lifts=0", "lifts must be in [1, 200]"),
        ("synthetic:small:test_scale=0", "test_scale must be in (0, 1]"),
        ("synthetic:small:test_scale=1.5", "test_scale must be in (0, 1]"),
        ("synthetic:small:train_scale=nan", "train_scale must be in (0, 1]"),
        ("synthetic:small:difficulty=x", "difficulty must be a number"),
        ("synthetic:small:seed=1:lifts=2", "seed must be an integer"),
    ],
)
def test_bad_presets_say_why(text: str, message: str) -> None:
    with pytest.raises(DataSpecError) as info:
        load_data(text)
    assert message in str(info.value)


def test_lift_lists() -> None:
    assert parse_lifts("3,1,7-9,2") == (1, 2, 3, 7, 8, 9)
    assert parse_lifts("5") == (5,)
    for bad in ("", "a", "0", "3-1", "1,,2", "1-"):
        with pytest.raises(DataSpecError):
            parse_lifts(bad)


def test_a_preset_generates_splits_lazily_and_restricts() -> None:
    data = tiny_data()
    assert data.source == TINY and data.variant == "small"
    assert data.lifts == (1, 2) and data.unseen == () and data.seen == (1, 2)
    assert set(data.masks) == {1, 2}
    open_mask, closed_mask = data.masks[1]
    assert open_mask.dtype == np.uint8 and set(np.unique(open_mask)) <= {0, 255}
    assert not np.array_equal(open_mask, closed_mask)
    train = data.split("train")
    assert len(train) == 200 and set(np.unique(train.lifts)) == {1, 2}
    one = data.restrict([2])
    assert one.lifts == (2,) and set(one.masks) == {2}
    part = one.split("train")
    assert len(part) == 100 and set(np.unique(part.lifts)) == {2}
    np.testing.assert_array_equal(part.images, train.images[train.lifts == 2])  # shared
    with pytest.raises(DataSpecError, match=r"lifts \[3\] are not in"):
        data.restrict([3])
    with pytest.raises(DataSpecError, match="split must be one of"):
        data.split("holdout")


def test_a_directory_reads_back_with_its_held_out_lifts(tmp_path: Path) -> None:
    root = write_tiny_dataset(tmp_path / "ds", lifts=2)
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["leave_lifts_out"] == {"seen": [1, 2], "unseen": []}  # too few lifts
    manifest["leave_lifts_out"] = {"seen": [2], "unseen": [1]}
    (root / "manifest.json").write_text(json.dumps(manifest))
    data = load_data(str(root))
    assert data.lifts == (1, 2) and data.source == str(root.resolve())
    assert data.seen == (2,) and data.unseen == (1,)
    val = data.restrict(data.seen).split("val")
    assert len(val) == 100 and set(np.unique(val.lifts)) == {2}
    np.testing.assert_array_equal(data.masks[1][0], tiny_data().masks[1][0])


def test_bad_directories_say_why(tmp_path: Path) -> None:
    with pytest.raises(DataSpecError, match="does not exist"):
        load_data(str(tmp_path / "missing"))
    with pytest.raises(DataSpecError, match=r"no manifest\.json"):
        load_data(str(tmp_path))
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(DataSpecError, match="not valid JSON"):
        load_data(str(tmp_path))
    with pytest.raises(DataSpecError, match="empty"):
        load_data(" ")


def test_a_full_preset_holds_out_the_manifest_lifts() -> None:
    data = load_data("synthetic:small:seed=4")  # only the masks are made until a split is asked
    seen, unseen = leave_lifts_out(list(range(1, 21)), 4)
    assert (list(data.seen), list(data.unseen)) == (seen, unseen)
    assert len(data.seen) == 15 and len(data.unseen) == 5 and len(data.masks) == 20
