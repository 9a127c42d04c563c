"""Synthetic station videos: the video, its ground truth and the station files agree."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from models.synthetic.samples import CLOSED_MAX
from models.synthetic.scene import World
from models.synthetic.video import generate_station_video, reference_light
from models.synthetic.video_truth import VideoTruth

LIFT = 3
PASSAGES = 4
Array = np.ndarray


@pytest.fixture(scope="module")
def world() -> World:
    return World(0)


@pytest.fixture(scope="module")
def station(
    tmp_path_factory: pytest.TempPathFactory, world: World
) -> tuple[Path, VideoTruth, list[tuple[int, int]]]:
    out = tmp_path_factory.mktemp("station")
    calls: list[tuple[int, int]] = []
    truth = generate_station_video(
        world, LIFT, PASSAGES, out, seed=3, progress=lambda d, t: calls.append((d, t))
    )
    return out, truth, calls


def imread(path: Path, flags: int = cv2.IMREAD_COLOR) -> Array:
    image = cv2.imread(str(path), flags)
    assert image is not None, path
    return image


def read_video(path: Path, keep: set[int]) -> tuple[int, dict[int, Array]]:
    """The number of frames of a video and the frames whose indices are in ``keep``."""
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened()
    frames, count = {}, 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if count in keep:
            frames[count] = frame
        count += 1
    cap.release()
    return count, frames


def test_video_has_the_frames_of_its_truth(station: tuple[Path, VideoTruth, list]) -> None:
    out, truth, _ = station
    count, frames = read_video(out / "station.mp4", {0})
    assert count == truth.frames
    assert frames[0].shape == (360, 640, 3)
    assert (truth.width, truth.height) == (640, 360)
    assert 15 <= truth.fps <= 25


def test_passages_are_consistent(station: tuple[Path, VideoTruth, list]) -> None:
    _, truth, _ = station
    assert [p.passage for p in truth.passages] == list(range(PASSAGES))
    departures = [p.departure_frame for p in truth.passages]
    assert departures == sorted(departures) and len(set(departures)) == PASSAGES
    for p in truth.passages:
        assert 0 <= p.first_frame <= p.departure_frame <= p.last_frame < truth.frames
        assert len(p.bar_angles) == p.last_frame - p.first_frame + 1
        at_departure = p.bar_angles[p.departure_frame - p.first_frame]
        assert p.violation == (at_departure > CLOSED_MAX)
        assert p.bar_angles[0] >= 0.6, "the bar is open when the carrier enters"
        assert 0.0 <= p.bar_visible <= 1.0
        if not p.violation:
            assert at_departure <= 0.1
            assert p.passengers >= 1
    assert any(p.violation for p in truth.passages)
    assert truth.passages[0].bar_visible == 1.0  # this lift: no carrier in front of the first


def test_bar_timing_follows_the_contract(station: tuple[Path, VideoTruth, list]) -> None:
    _, truth, _ = station
    half_second = int(np.ceil(0.5 * truth.fps))
    for p in truth.passages:
        dep = p.departure_frame - p.first_frame
        if p.violation:  # open from entry until 0.5 s after departure
            assert min(p.bar_angles[: dep + half_second + 1]) >= 0.6
        else:  # closed from 0.5 s before departure
            assert max(p.bar_angles[dep - half_second : dep + 1]) <= 0.1


def test_truth_file_is_the_returned_truth(station: tuple[Path, VideoTruth, list]) -> None:
    out, truth, _ = station
    data = json.loads((out / "truth.json").read_text())
    assert {"fps", "frames", "passages", "lift", "seed", "width", "height", "light"} <= set(data)
    contract = {"passage", "first_frame", "last_frame", "departure_frame", "violation"}
    assert all(contract <= set(p) for p in data["passages"])
    assert VideoTruth.from_dict(data) == truth
    assert data["lift"] == LIFT and data["seed"] == 3


def test_progress_is_reported_per_frame(station: tuple[Path, VideoTruth, list]) -> None:
    _, truth, calls = station
    assert calls == [(k + 1, truth.frames) for k in range(truth.frames)]


def test_station_config_follows_the_contract(station: tuple[Path, VideoTruth, list]) -> None:
    out, truth, _ = station
    config = yaml.safe_load((out / "station.yaml").read_text())
    assert list(config) == ["id", "lift", "source", "fps", "registration", "alarm", "enabled"]
    assert config["id"] == "lift-03-station" and config["lift"] == "lift-03"
    assert (out / config["source"]).is_file() and config["fps"] == truth.fps
    reg = config["registration"]
    assert (out / reg["reference"]).is_file() and reg["crop"] == 200
    assert 0 < reg["min_score"] < 1 and config["alarm"]["departure_window"] == 3
    for key in ("roi", "search"):
        x, y, w, h = reg[key]
        assert all(isinstance(v, int) for v in reg[key])
        assert x >= 0 and y >= 0 and w > 0 and h > 0 and x + w <= 640 and y + h <= 360
    x, y, w, h = reg["search"]
    cx, cy = reg["roi"][0] + reg["roi"][2] / 2, reg["roi"][1] + reg["roi"][3] / 2
    assert x <= cx <= x + w and y <= cy <= y + h


def test_reference_and_masks(station: tuple[Path, VideoTruth, list]) -> None:
    out, _, _ = station
    assert imread(out / "reference.png").shape == (360, 640, 3)
    masks = [imread(out / "masks" / f"{s}.png", cv2.IMREAD_UNCHANGED) for s in ("open", "closed")]
    for mask in masks:
        assert mask.shape == (200, 200)
        assert set(np.unique(mask).tolist()) == {0, 255}
    assert np.any(masks[0] != masks[1])


def _carrier_pixels(world: World, reference: Array) -> Array:
    """Pixels of the lift's ROI where the reference frame shows the carrier."""
    lift = world.lift(LIFT)
    clear = world.background(LIFT, reference_light(lift))
    x, y, w, h = (int(v) for v in lift.roi)
    diff = np.abs(reference.astype(int) - clear.astype(int)).max(axis=2)
    mask = np.zeros(diff.shape, bool)
    mask[y : y + h, x : x + w] = diff[y : y + h, x : x + w] > 30
    return mask


def _change(frame: Array, before: Array, mask: Array) -> float:
    """Mean absolute grey-level change between two frames over ``mask``."""
    a, b = (cv2.cvtColor(f, cv2.COLOR_BGR2GRAY).astype(float) for f in (frame, before))
    return float(np.abs(a - b)[mask].mean())


def test_carrier_is_at_the_roi_at_departure(
    station: tuple[Path, VideoTruth, list], world: World
) -> None:
    """Where the reference frame shows the carrier, every departure frame differs from the empty
    first frame far more than the next empty frame does (noise, snow: the same weather)."""
    out, truth, _ = station
    mask = _carrier_pixels(world, imread(out / "reference.png"))
    assert mask.sum() > 500
    departures = {p.departure_frame for p in truth.passages}
    _, frames = read_video(out / "station.mp4", departures | {0, 1})
    noise = _change(frames[1], frames[0], mask)  # no carrier on the cable yet in either
    for k in departures:
        assert _change(frames[k], frames[0], mask) > 2.0 * noise + 20.0


def test_same_seed_same_files_other_seed_other_truth(world: World, tmp_path: Path) -> None:
    def make(name: str, seed: int) -> Path:
        generate_station_video(world, LIFT, 3, tmp_path / name, seed=seed, fps=8)
        return tmp_path / name

    a, b, c = make("a", 5), make("b", 5), make("c", 6)
    for name in ("truth.json", "reference.png", "station.yaml", "masks/open.png"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "truth.json").read_text() != (c / "truth.json").read_text()


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"lift_id": 0}, "lift_id"),
        ({"passages": 0}, "passages"),
        ({"fps": 4}, "fps"),
        ({"fps": 61}, "fps"),
        ({"violation_rate": 1.5}, "violation_rate"),
        ({"difficulty": -1.0}, "difficulty"),
    ],
)
def test_bad_arguments_are_refused(
    world: World, tmp_path: Path, kwargs: dict, argument: str
) -> None:
    args = {"lift_id": 1, "passages": 2, "fps": None, **kwargs}
    with pytest.raises(ValueError, match=argument):
        generate_station_video(world, out_dir=tmp_path / "out", **args)
    assert not (tmp_path / "out").exists()


def test_unwritable_video_is_a_clear_error(world: World, tmp_path: Path) -> None:
    (tmp_path / "station.mp4").mkdir()  # a directory where the video should go
    with pytest.raises(RuntimeError, match=r"station\.mp4"):
        generate_station_video(world, LIFT, 1, tmp_path, fps=5)
