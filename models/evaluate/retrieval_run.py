"""``run_retrieval``: hashing models' codes of two splits, Hamming ranking, tables written.

For every ``(name, weights)``: codes of the query split (default test) and of the database
split (default train), then mAP@10/@50 per lift × bar-state class (``models.evaluate.retrieval``).
``out_dir`` gets ``retrieval.md`` (the paper's Tables II/III layout) and ``retrieval.json``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from models.evaluate.hash_codes import Progress, load_hasher, split_codes
from models.evaluate.retrieval import KS, RetrievalScores, retrieval_scores, to_dict, to_markdown
from models.train.data import LiftData
from models.zoo.hash_classes import class_ids

log = logging.getLogger(__name__)
Bar = Callable[[str], AbstractContextManager[Progress]]


def _no_bar(_: str) -> AbstractContextManager[Progress]:
    return nullcontext(lambda done, total: None)


def score_model(
    name: str,
    weights: Path,
    data: LiftData,
    query_split: str,
    db_split: str,
    bar: Bar = _no_bar,
    ks: tuple[int, ...] = KS,
) -> RetrievalScores:
    """One model's retrieval scores (codes of both splits, then the ranking)."""
    hasher = load_hasher(name, weights)
    num_classes = int(hasher.config.num_classes or 0)
    start = time.perf_counter()
    splits = {}
    for split in dict.fromkeys((db_split, query_split)):
        images = data.split(split)
        if len(images) == 0:
            raise ValueError(f"the {split} split of lifts {data.lifts} holds no image")
        with bar(f"{name}: codes of {split}") as update:
            codes = split_codes(hasher, images, progress=update)
        splits[split] = (codes, class_ids(images.lifts, images.labels, num_classes))
    coded = time.perf_counter() - start
    scores = retrieval_scores(name, *splits[query_split], *splits[db_split], ks)
    scores.extra.update(
        weights=str(weights),
        input_size=list(hasher.config.input_size),
        code_seconds=round(coded, 1),
        rank_seconds=round(time.perf_counter() - start - coded, 1),
    )
    log.info("%s: overall mAP %s", name, scores.overall)
    return scores


def run_retrieval(
    models: list[tuple[str, Path]],
    data: LiftData,
    out_dir: Path,
    query_split: str = "test",
    db_split: str = "train",
    bar: Bar = _no_bar,
) -> tuple[list[RetrievalScores], dict[str, Path]]:
    """Score every model on the same queries and database; write the tables."""
    if not models:
        raise ValueError("give at least one --model NAME=WEIGHTS")
    results = [score_model(n, w, data, query_split, db_split, bar) for n, w in models]
    title = (
        f"Retrieval mAP@k (%) per lift × bar state: queries {query_split}, "
        f"database {db_split} ({results[0].database} images), 48-bit Hamming ranking, "
        "ties in a random order (seed 0)"
    )
    meta = {
        "data": data.source,
        "lifts": list(data.lifts),
        "queries": query_split,
        "database": db_split,
        "title": title,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"markdown": out_dir / "retrieval.md", "json": out_dir / "retrieval.json"}
    files["markdown"].write_text(to_markdown(results, title))
    files["json"].write_text(json.dumps(to_dict(results, meta), indent=2) + "\n")
    return results, files
