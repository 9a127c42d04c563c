import cv2
import numpy as np
import pytest

from models.synthetic.dataset import DatasetSpec, Job, render_job
from models.synthetic.primitives import Label
from models.synthetic.samples import CLOSED_MAX, OPEN_MIN, label_of, render_registered
from models.synthetic.scene import CarrierState, World, draw_scene, render_masks
from models.synthetic.weather import lighting_for

LIFTS = (1, 4, 6, 11, 18)


@pytest.fixture(scope="module")
def world() -> World:
    return World(0)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def test_same_seed_same_image_other_seed_other_image(world: World) -> None:
    spec = DatasetSpec(seed=3)
    job = Job(2, "train", 5, "open")
    a, b = render_job(world, spec, job), render_job(World(0), spec, job)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.segmentation, b.segmentation)
    c = render_job(world, DatasetSpec(seed=4), job)
    assert not np.array_equal(a.image, c.image)


def test_other_world_seed_gives_other_lifts() -> None:
    assert World(0).lift(1).carrier != World(1).lift(1).carrier


@pytest.mark.parametrize("label", ["open", "closed"])
def test_labels_follow_the_bar_angle(world: World, label: str) -> None:
    rng = np.random.default_rng(0)
    for lift in LIFTS:
        sample = render_registered(world, lift, label, rng)
        assert sample.label == label == label_of(sample.bar_angle)
        assert sample.image.shape == (200, 200, 3) and sample.image.dtype == np.uint8
        assert set(np.unique(sample.segmentation)) <= {int(v) for v in Label}


def test_ambiguous_middle_has_no_label() -> None:
    assert label_of(CLOSED_MAX) == "closed" and label_of(OPEN_MIN) == "open"
    assert label_of((CLOSED_MAX + OPEN_MIN) / 2) is None
    with pytest.raises(ValueError, match="label"):
        render_registered(World(0), 1, "ajar", np.random.default_rng(0))


@pytest.mark.parametrize("lift", LIFTS)
def test_masks_are_binary_non_empty_inside_and_different(world: World, lift: int) -> None:
    open_mask, closed_mask = render_masks(world.lift(lift))
    for mask in (open_mask, closed_mask):
        assert mask.shape == (200, 200)
        assert set(np.unique(mask)) == {0, 255}
        assert 0.002 < (mask > 0).mean() < 0.25
        border = np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]])
        assert (border > 0).mean() < 0.1, "the bar should lie inside the crop"
    assert _iou(open_mask > 0, closed_mask > 0) < 0.3


@pytest.mark.parametrize("lift", LIFTS)
def test_bar_segmentation_matches_the_mask_of_its_state(world: World, lift: int) -> None:
    spec = world.lift(lift)
    camera = spec.crop_camera(200)
    masks = dict(zip(("open", "closed"), render_masks(spec), strict=True))
    for state, angle in (("open", 1.0), ("closed", 0.0)):
        background = np.zeros((200, 200, 3), np.uint8)
        _, seg = draw_scene(
            spec, [CarrierState(angle)], camera, background, lighting_for(spec, "sun")
        )
        bar = seg == Label.BAR
        assert bar.sum() > 20
        # the operator's mask is drawn a little thicker than the bar, and the carrier may hide
        # some of the bar: most visible bar pixels lie inside the mask of the same state
        assert (bar & (masks[state] > 0)).sum() / bar.sum() > 0.9


def test_registered_bar_lies_nearer_its_own_mask(world: World) -> None:
    rng = np.random.default_rng(1)
    hits, total = 0, 0
    kernel = np.ones((9, 9), np.uint8)
    for lift in LIFTS:
        masks = {
            k: cv2.dilate(m, kernel) > 0
            for k, m in zip(("open", "closed"), render_masks(world.lift(lift)), strict=True)
        }
        for label in ("open", "closed"):
            for _ in range(4):
                sample = render_registered(world, lift, label, rng)
                bar = sample.segmentation == Label.BAR
                if bar.sum() < 10:  # hidden behind passengers or fog: nothing to compare
                    continue
                other = "closed" if label == "open" else "open"
                total += 1
                hits += (bar & masks[label]).sum() > (bar & masks[other]).sum()
    assert total >= 30 and hits / total > 0.9
