"""Loading station configs: every error names the file and the field; a directory loads past a
broken file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.config import StationConfigError, load_station_config, load_station_dir
from tests.service.config.conftest import WriteConfig, valid


def error_of(path: Path) -> StationConfigError:
    with pytest.raises(StationConfigError) as caught:
        load_station_config(path)
    return caught.value


def with_registration(**changes: Any) -> dict[str, Any]:
    data = valid()
    data["registration"] = {**data["registration"], **changes}
    return data


def test_an_unknown_key_is_refused_by_name(write: WriteConfig) -> None:
    path = write("a.yaml", {**valid(), "colour": "red"})
    assert str(error_of(path)) == (
        f"{path}: colour: unknown key (allowed: id, lift, source, fps, registration, alarm, "
        "capture, enabled, outputs) (line 8)"
    )
    path = write("b.yaml", with_registration(threshold=0.3))
    message = str(error_of(path))
    assert message.startswith(f"{path}: registration.threshold: unknown key (allowed: reference,")


@pytest.mark.parametrize(
    ("roi", "expected"),
    [
        ([1, 2, 3], "registration.roi: must have 4 integers [x, y, w, h] (line 7)"),
        ([1, 2, 3.5, 4], "registration.roi: must have 4 integers [x, y, w, h], got [1, 2, 3.5, 4]"),
        ("1,2,3,4", "registration.roi: must have 4 integers [x, y, w, h] (line 5)"),  # flow style
        ([1, 2, 0, 4], "registration.roi: width and height must be > 0, got [1, 2, 0, 4]"),
        ([-1, 2, 3, 4], "registration.roi: x and y must be >= 0, got [-1, 2, 3, 4]"),
        ([100, 10, 80, 80], "registration: roi: [100, 10, 80, 80] goes outside the reference"),
    ],
)
def test_bad_roi(write: WriteConfig, roi: Any, expected: str) -> None:
    path = write("a.yaml", with_registration(roi=roi))
    message = str(error_of(path))
    assert message.startswith(f"{path}: {expected}")
    assert "\n" not in message


def test_a_missing_reference_names_the_file_it_looked_for(
    write: WriteConfig, stations: Path
) -> None:
    path = write("a.yaml", with_registration(reference="refs/gone.png"))
    expected = f"registration.reference: file not found: {stations / 'refs' / 'gone.png'} (line 6)"
    assert str(error_of(path)) == f"{path}: {expected}"
    (stations / "broken.png").write_bytes(b"not a png")
    path = write("b.yaml", with_registration(reference="broken.png"))
    assert "registration: reference: not a readable image" in str(error_of(path))


def test_a_yaml_syntax_error_gives_the_file_and_line(write: WriteConfig) -> None:
    path = write("a.yaml", "id: a\nlift: lift-01\nsource: [0\nfps: 15\n")
    error = error_of(path)
    assert str(error).startswith(f"{path}: YAML syntax error at line 4, column 4:")
    assert error.path == path


def test_every_problem_is_reported_one_per_line_in_file_order(write: WriteConfig) -> None:
    data = {**valid(), "id": "Lift 3", "fps": 0, "source": "ftp://cam/1"}
    data["alarm"] = {"departure_window": 1, "open_frames_min": 4}
    data["capture"] = {"backoff_initial_s": 5, "backoff_max_s": 1}
    path = write("a.yaml", data)
    lines = str(error_of(path)).splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines)
    fields = [line.removeprefix(f"{path}: ").split(":")[0] for line in lines]
    assert fields == ["id", "source", "fps", "alarm", "capture"]
    assert "unsupported URL scheme 'ftp'" in lines[1]
    assert "greater than 0, got 0" in lines[2]
    assert "open_frames_min (4) exceeds the 3 frames" in lines[3]
    assert "backoff_max_s (1) is below backoff_initial_s (5)" in lines[4]


def test_a_repeated_key_is_an_error_not_a_silent_override(write: WriteConfig) -> None:
    text = "id: a\nlift: lift-01\nsource: 0\nfps: 15\nfps: 30\n"
    path = write("a.yaml", text)
    assert str(error_of(path)) == f"{path}: fps: duplicate key (line 5)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the top level must be a mapping, got an empty file"),
        ("- id: a\n", "the top level must be a mapping, got a list"),
        ("just text\n", "the top level must be a mapping, got a str"),
    ],
)
def test_the_top_level_must_be_a_mapping(write: WriteConfig, text: str, expected: str) -> None:
    path = write("a.yaml", text)
    assert str(error_of(path)) == f"{path}: {expected}"


def test_an_unreadable_file(stations: Path) -> None:
    assert str(error_of(stations / "nope.yaml")).startswith(
        f"{stations / 'nope.yaml'}: cannot read the file:"
    )
    (stations / "bin.yaml").write_bytes(b"\xff\xfe\x00id")
    assert "cannot read the file" in str(error_of(stations / "bin.yaml"))


def test_a_window_of_one_frame_needs_one_open_frame(write: WriteConfig) -> None:
    config = load_station_config(write("a.yaml", {**valid(), "alarm": {"departure_window": 0}}))
    assert config.alarm.open_frames_min == 1


def test_the_directory_loader_keeps_going_past_broken_files(
    write: WriteConfig, stations: Path
) -> None:
    write("a.yaml", valid())
    write("b.yaml", "id: [broken\n")
    write("c.yml", {**valid(), "id": "lift-04-top", "lift": "lift-04"})
    write("d.yaml", {**valid(), "fps": 500})
    write("e.yaml", {**valid(), "source": 1})  # the id of a.yaml again
    write("notes.txt", "not a config")
    configs, errors = load_station_dir(stations)
    assert [c.id for c in configs] == ["lift-03-bottom", "lift-04-top"]
    assert [e.path.name for e in errors] == ["b.yaml", "d.yaml", "e.yaml"]
    assert "YAML syntax error" in str(errors[0])
    assert "fps: Input should be less than or equal to 120, got 500" in str(errors[1])
    assert str(errors[2]) == (
        f"{stations / 'e.yaml'}: id: duplicate station id 'lift-03-bottom', "
        f"already used by {stations / 'a.yaml'}"
    )


def test_the_directory_loader_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(StationConfigError, match="not a directory"):
        load_station_dir(tmp_path / "missing")
    assert load_station_dir(tmp_path) == ([], [])
