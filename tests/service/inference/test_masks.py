"""The mask embedding cache: embeds on change only, swaps engines atomically, rejects bad masks."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from service.inference.masks import MaskEmbeddingCache, UnknownLift, load_lift_masks
from tests.service.inference.fakes import FakeEngine, half_masks


def test_masks_are_embedded_once_when_set() -> None:
    engine = FakeEngine()
    cache = MaskEmbeddingCache(engine)
    open_mask, closed_mask = half_masks()
    entry = cache.set_masks("lift-01", open_mask, closed_mask)
    assert engine.calls == [2] and cache.embed_count == 1
    for _ in range(5):
        got = cache.get("lift-01")
    assert got is entry and engine.calls == [2]
    assert entry.version == 1 and entry.model_id == "fake@0001"
    np.testing.assert_allclose(entry.open_embedding, [1.0, -1.0])
    np.testing.assert_allclose(entry.closed_embedding, [-1.0, 1.0])
    assert not entry.open_embedding.flags.writeable
    assert cache.set_masks("lift-01", closed_mask, open_mask).version == 2
    assert cache.embed_count == 2 and cache.lifts() == ["lift-01"] and "lift-01" in cache


def test_swap_engine_re_embeds_every_lift() -> None:
    cache = MaskEmbeddingCache(FakeEngine("fake@old"))
    for lift in ("a", "b", "c"):
        cache.set_masks(lift, *half_masks())
    new = FakeEngine("fake@new")
    cache.swap_engine(new)
    assert new.calls == [2, 2, 2] and cache.embed_count == 6
    assert cache.engine is new
    assert {cache.get(lift).model_id for lift in cache.lifts()} == {"fake@new"}
    assert cache.get("a").version == 1  # the masks did not change, the model did


def test_a_lift_without_masks_is_a_clear_key_error() -> None:
    cache = MaskEmbeddingCache(FakeEngine())
    with pytest.raises(KeyError) as caught:
        cache.get("lift-09")
    assert isinstance(caught.value, UnknownLift) and caught.value.lift == "lift-09"
    assert "lift 'lift-09' has no masks" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.astype(np.float32), r"must be a uint8 \(H, W\) array"),
        (lambda m: np.repeat(m[..., None], 3, axis=2), r"must be a uint8 \(H, W\) array"),
        (lambda m: m // 255, "must hold only 0 and 255, found 0, 1"),
        (lambda m: np.where(m > 0, 128, 0).astype(np.uint8), "found 0, 128"),
        (lambda m: np.zeros_like(m), "is empty"),
        (lambda m: np.pad(m, 1), "differ in size"),
        (lambda m: half_masks()[1], "identical"),
    ],
)
def test_a_bad_mask_is_rejected_and_changes_nothing(change: object, message: str) -> None:
    engine = FakeEngine()
    cache = MaskEmbeddingCache(engine)
    open_mask, closed_mask = half_masks()
    with pytest.raises(ValueError, match=message):
        cache.set_masks("lift-01", change(open_mask), closed_mask)  # type: ignore[operator]
    assert cache.lifts() == [] and engine.calls == [] and cache.embed_count == 0


def test_readers_never_see_a_half_swapped_cache() -> None:
    engines = [FakeEngine("fake@a", delay_s=0.001), FakeEngine("fake@b", delay_s=0.001)]
    cache = MaskEmbeddingCache(engines[0])
    for i in range(10):
        cache.set_masks(f"lift-{i}", *half_masks())
    done, mixed = threading.Event(), []

    def read() -> None:
        while not done.is_set():
            snap = cache.snapshot()
            ids = {m.model_id for m in snap.lifts.values()}
            if ids != {snap.engine.model_id}:
                mixed.append(ids)

    reader = threading.Thread(target=read)
    reader.start()
    for i in range(6):
        cache.swap_engine(engines[(i + 1) % 2])
    done.set()
    reader.join()
    assert not mixed and cache.embed_count == 10 + 6 * 10


def test_masks_load_from_png_files(tmp_path: Path) -> None:
    open_mask, closed_mask = half_masks(20)
    cv2.imwrite(str(tmp_path / "open.png"), (open_mask // 255 * 200 + 20).astype(np.uint8))
    cv2.imwrite(str(tmp_path / "closed.png"), cv2.cvtColor(closed_mask, cv2.COLOR_GRAY2BGR))
    got_open, got_closed = load_lift_masks(tmp_path)
    np.testing.assert_array_equal(got_open, open_mask)  # 220/20 grey binarised at 127
    np.testing.assert_array_equal(got_closed, closed_mask)  # colour read as grayscale
    assert got_open.dtype == np.uint8


def test_missing_or_unreadable_mask_files_are_named(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "open.png"), half_masks()[0])
    with pytest.raises(FileNotFoundError, match=r"closed\.png does not exist"):
        load_lift_masks(tmp_path)
    (tmp_path / "closed.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match=r"closed\.png is not a readable image"):
        load_lift_masks(tmp_path)
    cv2.imwrite(str(tmp_path / "closed.png"), np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match=r"closed\.png is empty"):
        load_lift_masks(tmp_path)
