"""The crop classifier: nearest mask with the shipped model, one embed per batch, no per-frame
mask work, unknown lifts and bad crops set aside without spoiling a batch."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from models.synthetic.samples import render_registered
from service.inference.classifier import CropClassifier
from service.inference.engines import OnnxEngine
from service.inference.masks import MaskEmbeddingCache, UnknownLift
from service.inference.messages import CropRequest
from tests.service.inference.conftest import LiftWorld
from tests.service.inference.fakes import FakeEngine, as_crop, half_masks, request

NOW = 1_700_000_000.0


@pytest.fixture(scope="module")
def shipped_classifier(shipped: OnnxEngine, lift_world: LiftWorld) -> CropClassifier:
    cache = MaskEmbeddingCache(shipped)
    cache.set_masks("lift-03", lift_world.open_mask, lift_world.closed_mask)
    return CropClassifier(shipped, cache, clock=lambda: NOW)


def fake_classifier(engine: FakeEngine | None = None) -> tuple[CropClassifier, FakeEngine]:
    engine = engine or FakeEngine()
    cache = MaskEmbeddingCache(engine)
    cache.set_masks("lift-01", *half_masks())
    return CropClassifier(engine, cache, clock=lambda: NOW), engine


def test_the_shipped_model_tells_the_masks_apart(
    shipped_classifier: CropClassifier, lift_world: LiftWorld
) -> None:
    crops = {"open": as_crop(lift_world.open_mask), "closed": as_crop(lift_world.closed_mask)}
    requests = [request(i, "lift-03", crops[s]) for i, s in enumerate(("open", "closed", "open"))]
    decisions = shipped_classifier.classify(requests)
    assert [d.state for d in decisions] == ["open", "closed", "open"]
    for req, d in zip(requests, decisions, strict=True):
        assert (d.station_id, d.lift, d.frame, d.passage) == (
            req.station_id,
            "lift-03",
            req.frame,
            req.passage,
        )
        assert d.timestamp == req.timestamp and d.decided_at == NOW
        assert d.margin == pytest.approx(abs(d.d_open - d.d_closed)) and d.margin > 0
        assert d.model == shipped_classifier.engine.model_id
    assert decisions[0].d_open < 1e-3 and decisions[1].d_closed < 1e-3  # a mask is its own nearest


def test_the_shipped_model_judges_rendered_carriers(
    shipped_classifier: CropClassifier, lift_world: LiftWorld
) -> None:
    rng = np.random.default_rng(7)
    labels = ["open", "closed", "closed", "open"]
    images = [render_registered(lift_world.world, lift_world.lift_id, s, rng).image for s in labels]
    decisions = shipped_classifier.classify(
        [request(i, "lift-03", im) for i, im in enumerate(images)]
    )
    assert [d.state for d in decisions] == labels


def test_one_embed_per_batch_and_no_mask_work_per_frame() -> None:
    classifier, engine = fake_classifier()
    open_mask, closed_mask = half_masks()
    for start in range(0, 30, 6):
        crops = [as_crop(open_mask if i % 2 else closed_mask) for i in range(start, start + 6)]
        decisions = classifier.classify([request(i, crop=c) for i, c in enumerate(crops, start)])
        assert [d.state for d in decisions] == ["closed", "open"] * 3
    assert engine.calls == [2] + [6] * 5  # the masks once, then one call per batch
    assert classifier.masks.embed_count == 1


def test_crops_of_mixed_sizes_share_a_batch() -> None:
    classifier, engine = fake_classifier()
    open_mask, closed_mask = half_masks(16)
    decisions = classifier.classify(
        [request(0, crop=as_crop(open_mask)), request(1, crop=as_crop(closed_mask[:12, :12]))]
    )
    assert [d.state for d in decisions] == ["open", "closed"] and engine.calls[-1] == 2


def test_a_tie_is_decided_open() -> None:
    classifier, _ = fake_classifier()
    (decision,) = classifier.classify([request(0, crop=np.zeros((8, 8, 3), np.uint8))])
    assert decision.d_open == pytest.approx(decision.d_closed) and decision.state == "open"
    assert decision.margin == pytest.approx(0.0)


def test_a_lift_without_masks_gets_no_decision_and_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    classifier, engine = fake_classifier()
    caplog.set_level(logging.WARNING)
    for frame in range(20):
        decisions = classifier.classify([request(frame, "lift-77"), request(frame)])
        assert [d.lift for d in decisions] == ["lift-01"]
    assert classifier.classify([request(99, "lift-77")]) == []
    assert classifier.skipped_unknown_lift() == {"lift-77": 21}
    assert [r.getMessage() for r in caplog.records] == [
        "lift lift-77 has no masks: its frames get no decision until it has"
    ]
    assert engine.calls == [2] + [1] * 20  # only the known lift's crops were embedded


def test_a_bad_crop_is_set_aside_alone(caplog: pytest.LogCaptureFixture) -> None:
    classifier, _ = fake_classifier()
    caplog.set_level(logging.WARNING)
    bad = CropRequest("st-2", "lift-01", 5, NOW, np.zeros((8, 8), np.uint8))
    for _ in range(3):
        assert [d.frame for d in classifier.classify([request(4), bad, request(6)])] == [4, 6]
    assert classifier.rejected_crops() == {"st-2": 3} and len(caplog.records) == 1


def test_classify_image_for_the_rest_endpoint() -> None:
    classifier, _ = fake_classifier()
    result = classifier.classify_image("lift-01", as_crop(half_masks()[1]))
    assert (result.lift, result.state, result.model, result.decided_at) == (
        "lift-01",
        "closed",
        "fake@0001",
        NOW,
    )
    assert result.margin == pytest.approx(abs(result.d_open - result.d_closed))
    with pytest.raises(UnknownLift, match="lift 'nowhere' has no masks"):
        classifier.classify_image("nowhere", as_crop(half_masks()[1]))
    with pytest.raises(ValueError, match="BGR uint8"):
        classifier.classify_image("lift-01", np.zeros((8, 8, 3), np.float32))


def test_swap_engine_changes_crops_and_masks_together() -> None:
    classifier, _ = fake_classifier()
    new = FakeEngine("fake@new")
    classifier.swap_engine(new)
    (decision,) = classifier.classify([request(0)])
    assert decision.model == "fake@new" and classifier.engine is new and new.calls == [2, 1]


def test_the_engine_must_be_the_caches() -> None:
    cache = MaskEmbeddingCache(FakeEngine("fake@a"))
    with pytest.raises(ValueError, match="embeds with fake@a, not fake@b"):
        CropClassifier(FakeEngine("fake@b"), cache)
