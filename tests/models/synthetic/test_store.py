import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from models.synthetic.contact_sheet import THUMB, make_contact_sheet
from models.synthetic.dataset import DatasetSpec, generate_split
from models.synthetic.primitives import Label
from models.synthetic.store import (
    DatasetError,
    load_masks,
    load_split,
    read_manifest,
    read_rows,
    write_dataset,
)

SPEC = DatasetSpec(lifts=(1, 2, 3), seed=5, test_scale=0.02)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ds")
    write_dataset(SPEC, out, workers=2)
    return out


def test_manifest_and_index_match_the_split_sizes(written: Path) -> None:
    manifest = read_manifest(written)
    rows = read_rows(written)
    expected = sum(o + c for lift in SPEC.lifts for o, c in SPEC.sizes(lift).values())
    assert manifest["images"] == len(rows) == expected
    for lift in SPEC.lifts:
        for split, (n_open, n_closed) in SPEC.sizes(lift).items():
            mine = [r for r in rows if r["split"] == split and int(r["lift"]) == lift]
            assert sum(r["label"] == "open" for r in mine) == n_open
            assert sum(r["label"] == "closed" for r in mine) == n_closed


def test_files_on_disk_are_images_and_segmentations(written: Path) -> None:
    for row in read_rows(written)[::25]:
        image = cv2.imread(str(written / row["image"]))
        seg = cv2.imread(str(written / row["segmentation"]), cv2.IMREAD_GRAYSCALE)
        assert image.shape == (200, 200, 3) and seg.shape == (200, 200)
        assert set(np.unique(seg)) <= {int(v) for v in Label}
    open_mask, closed_mask = load_masks(written, 2)
    assert set(np.unique(open_mask)) == {0, 255} and set(np.unique(closed_mask)) == {0, 255}


def test_loaded_split_equals_the_generated_one(written: Path) -> None:
    loaded = load_split(written, "train", lifts=[2])
    fresh = generate_split(SPEC, "train", lifts=(2,))
    assert np.array_equal(loaded.labels, fresh.labels)
    assert np.array_equal(loaded.lifts, fresh.lifts)
    # JPEG at quality 95: close to, not equal to, the rendered pixels
    diff = np.abs(loaded.images.astype(int) - fresh.images.astype(int)).mean()
    assert diff < 3.0


def test_contact_sheet_has_a_row_per_lift(written: Path) -> None:
    sheet = cv2.imread(str(make_contact_sheet(written)))
    assert sheet.shape[0] >= 3 * THUMB and sheet.shape[1] > 7 * THUMB


def test_refuses_a_foreign_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(DatasetError, match="not empty"):
        write_dataset(SPEC, tmp_path)
    assert (tmp_path / "thesis.tex").read_text() == "precious"


def test_reading_a_broken_data_set_names_the_problem(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no manifest"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(DatasetError, match="not valid JSON"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 99}))
    with pytest.raises(DatasetError, match="unsupported format"):
        read_manifest(tmp_path)
    with pytest.raises(DatasetError, match="split"):
        load_split(tmp_path, "holdout")
