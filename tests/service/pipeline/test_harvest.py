"""Labelled crops of station videos (``liftwatch harvest``) and the data set they extend."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from models.synthetic.extend import ExtraImage, extend_dataset
from models.synthetic.samples import CLOSED_MAX, OPEN_MIN
from models.synthetic.store import DatasetError, load_split, read_rows
from service.cli import app
from service.pipeline.harvest import LabelledCrop, label_crops, pick_balanced
from tests.models.train.helpers import write_tiny_dataset
from tests.service.registration.station import LIFT, Station

runner = CliRunner()
OPEN, CLOSED, MIDDLE = (OPEN_MIN + 1) / 2, CLOSED_MAX / 2, (OPEN_MIN + CLOSED_MAX) / 2


def truth_passage(passage: int, first: int, departure: int, angles: list[float]) -> dict[str, Any]:
    return {
        "passage": passage,
        "first_frame": first,
        "last_frame": first + len(angles) - 1,
        "departure_frame": departure,
        "violation": False,
        "bar_angles": angles,
    }


def result_passage(passage: int, departure: int, frames: list[int]) -> dict[str, Any]:
    return {
        "passage": passage,
        "departure_frame": departure,
        "alarm": False,
        "frames": [{"frame": f, "state": "open"} for f in frames],
    }


def test_crops_take_the_truth_label_of_their_frame() -> None:
    truth = {
        "fps": 10,
        "passages": [
            truth_passage(0, 10, 14, [OPEN, OPEN, MIDDLE, CLOSED, CLOSED]),
            truth_passage(1, 40, 44, [CLOSED] * 5),
        ],
    }
    result = {
        "passages": [
            result_passage(7, 15, [10, 11, 12, 13, 14, 15]),  # matches passage 0 (1 frame off)
            result_passage(8, 90, [90, 91]),  # matches nothing: spurious, no crop
        ]
    }
    crops = {f: bytes([f]) for f in (10, 11, 12, 13, 90, 91)}  # frame 14 was never registered
    out = label_crops(truth, result, crops, lift=3)
    # 10, 11 open; 12 in the ambiguous middle; 13 closed; 14 has no crop; 15 is past the truth
    assert [(c.frame, c.label) for c in out] == [(10, "open"), (11, "open"), (13, "closed")]
    assert all(c.lift == 3 and c.jpeg == bytes([c.frame]) for c in out)
    assert out[2].bar_angle == CLOSED
    assert label_crops(truth, result, crops, lift=3, tolerance=0) == []  # departures 1 apart


def crop(lift: int, frame: int, label: str) -> LabelledCrop:
    return LabelledCrop(lift, frame, label, OPEN if label == "open" else CLOSED, b"")


def test_the_draw_is_balanced_capped_and_seeded() -> None:
    crops = [crop(1, f, "open") for f in range(30)] + [crop(1, 100 + f, "closed") for f in range(5)]
    crops += [crop(2, f, "closed") for f in range(8)]
    kept = pick_balanced(crops, per_lift=20, seed=0)
    one = [c for c in kept if c.lift == 1]
    # lift 1: 10 open wanted, 5 closed are all there are, so 15 open fill the 20
    assert sum(c.label == "closed" for c in one) == 5 and len(one) == 20
    assert [c.lift for c in kept].count(2) == 8  # fewer than the cap: all kept
    assert kept == sorted(kept, key=lambda c: (c.lift, c.frame))
    assert pick_balanced(crops, 20, seed=0) == kept and pick_balanced(crops, 20, seed=1) != kept


def test_an_extended_data_set_trains_on_more_and_leaves_its_base_alone(tmp_path: Path) -> None:
    base = write_tiny_dataset(tmp_path / "base")
    before = (base / "samples.csv").read_text()
    image = np.full((200, 200, 3), 128, np.uint8)
    jpeg = cv2.imencode(".jpg", image)[1].tobytes()
    extra = [ExtraImage(2, "open", OPEN, jpeg), ExtraImage(2, "closed", CLOSED, jpeg)]
    out = tmp_path / "extended"
    manifest = extend_dataset(base, out, extra, {"source": "test"})
    assert (base / "samples.csv").read_text() == before  # never written through a link
    assert manifest["extra"] == {"2": {"open": 1, "closed": 1}}
    assert manifest["note"] == {"source": "test"}
    assert json.loads((out / "manifest.json").read_text())["images"] == len(read_rows(out))
    train_base, train = load_split(base, "train"), load_split(out, "train")
    assert len(train) == len(train_base) + 2
    assert train.labels[-2:].tolist() == [0, 1] or train.labels[-2:].tolist() == [1, 0]
    assert np.array_equal(load_split(out, "test").images, load_split(base, "test").images)
    rows = list(csv.DictReader((out / "samples.csv").open()))
    assert rows[-1]["image"] == "lifts/L02/extra/00001.jpg" and rows[-1]["segmentation"] == ""
    with pytest.raises(DatasetError, match="not empty"):
        extend_dataset(base, out, extra, {})
    with pytest.raises(DatasetError, match="has no such lift"):
        extend_dataset(base, tmp_path / "other", [ExtraImage(9, "open", OPEN, jpeg)], {})
    with pytest.raises(DatasetError, match="labelled 'ajar'"):
        extend_dataset(base, tmp_path / "third", [ExtraImage(1, "ajar", OPEN, jpeg)], {})


def test_cli_harvests_a_station_video(synthetic_station: Station, tmp_path: Path) -> None:
    base = write_tiny_dataset(tmp_path / "base", lifts=LIFT)
    out = tmp_path / "extended"
    args = [str(synthetic_station.directory), "--base", str(base), "--out", str(out)]
    done = runner.invoke(app, ["harvest", *args, "--per-lift", "20", "--threads", "1"])
    assert done.exit_code == 0, done.output
    extra = json.loads((out / "manifest.json").read_text())["extra"]
    # 4 carriers, 3 leaving open: both labels are found, 10 of each kept
    assert extra == {str(LIFT): {"open": 10, "closed": 10}}
    again = runner.invoke(app, ["harvest", *args])
    assert again.exit_code == 2 and "is not empty" in again.output
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    on_file = runner.invoke(app, ["harvest", *args[:-1], str(a_file)])
    assert on_file.exit_code == 2 and "is not empty" in on_file.output
    empty = tmp_path / "nothing"
    empty.mkdir()
    bad = runner.invoke(
        app, ["harvest", str(empty), "--base", str(base), "--out", str(tmp_path / "x")]
    )
    assert bad.exit_code == 2 and "holds no station.yaml" in bad.output
    assert "Traceback" not in bad.output
