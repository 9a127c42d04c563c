"""Hamming ranking on hand-made codes and the ranking mAP@k worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from models.evaluate.hamming import (
    average_precision_at_k,
    hamming_distances,
    hamming_rank,
    map_at_k,
)
from models.evaluate.retrieval import retrieval_scores, to_dict, to_markdown

QUERY = np.array([[1, 0, 1, 1]])
DATABASE = np.array(
    [
        [0, 1, 0, 0],  # 4 bits differ
        [1, 0, 1, 1],  # 0
        [0, 0, 1, 1],  # 1
        [1, 0, 1, 0],  # 1 (ties with row 2: the earlier row first)
        [1, 1, 1, 1],  # 1
    ]
)


def test_distances_and_ranking_by_hand() -> None:
    assert hamming_distances(QUERY, DATABASE).tolist() == [[4, 0, 1, 1, 1]]
    order, dist = hamming_rank(QUERY, DATABASE, k=3)
    assert order.tolist() == [[1, 2, 3]] and dist.tolist() == [[0, 1, 1]]
    order, dist = hamming_rank(QUERY, DATABASE)
    assert order.tolist() == [[1, 2, 3, 4, 0]] and dist.tolist() == [[0, 1, 1, 1, 4]]


def test_ranking_many_queries_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    import models.evaluate.hamming as hamming

    monkeypatch.setattr(hamming, "CHUNK", 2)
    rng = np.random.default_rng(0)
    queries, database = rng.integers(0, 2, (5, 16)), rng.integers(0, 2, (7, 16))
    order, dist = hamming_rank(queries, database, k=7)
    brute = (queries[:, None, :] != database[None, :, :]).sum(-1)
    assert dist.tolist() == np.sort(brute, axis=1).tolist()
    assert (np.take_along_axis(brute, order, axis=1) == dist).all()


def test_bad_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="0/1"):
        hamming_distances(np.array([[2, 0]]), np.array([[1, 0]]))
    with pytest.raises(ValueError, match="bits"):
        hamming_distances(np.array([[1, 0]]), np.array([[1, 0, 1]]))


def test_average_precision_at_k_by_hand() -> None:
    relevant = np.array(
        [
            [1, 0, 1, 0, 1],  # @5: (1/1 + 2/3 + 3/5) / 3 = 0.755...; @2: 1/1
            [0, 1, 1, 0, 0],  # @5: (1/2 + 2/3) / 2 = 0.583...; @2: 1/2
            [0, 0, 0, 0, 0],  # none relevant: 0
        ],
        bool,
    )
    assert average_precision_at_k(relevant, 5) == pytest.approx([34 / 45, 7 / 12, 0.0])
    assert average_precision_at_k(relevant, 2) == pytest.approx([1.0, 0.5, 0.0])


def test_map_at_k_ranks_then_scores() -> None:
    # query class 7; database classes by rank order 1, 2, 3, 4, 0 → 7, 5, 7, 5, 7
    classes = np.array([7, 7, 5, 7, 5])
    aps = map_at_k(QUERY, np.array([7]), DATABASE, classes, ks=(2, 5), tie_seed=None)
    assert aps[2].tolist() == pytest.approx([1.0])
    assert aps[5].tolist() == pytest.approx([(1 + 2 / 3 + 3 / 5) / 3])


def test_ties_follow_the_tie_order() -> None:
    database, classes = np.array([[0, 0], [0, 0], [1, 1]]), np.array([0, 1, 1])
    query = np.array([[0, 0]])
    order, dist = hamming_rank(query, database, tie_order=np.array([1, 2, 0]))
    assert order.tolist() == [[1, 0, 2]] and dist.tolist() == [[0, 0, 2]]
    with pytest.raises(ValueError, match="permutation"):
        hamming_rank(query, database, tie_order=np.array([0, 0, 1]))
    by_row = map_at_k(query, np.array([1]), database, classes, ks=(1,), tie_seed=None)[1]
    assert by_row.tolist() == [0.0]  # row 0 (class 0) wins the tie
    seeded = {
        seed: map_at_k(query, np.array([1]), database, classes, ks=(1,), tie_seed=seed)[1][0]
        for seed in range(8)
    }
    assert set(seeded.values()) == {0.0, 1.0}  # each tied row comes first for some seed
    assert all(
        map_at_k(query, np.array([1]), database, classes, ks=(1,), tie_seed=s)[1][0] == v
        for s, v in seeded.items()
    )  # and a seed always gives the same order


def test_per_class_tables_average_queries_then_classes() -> None:
    database = np.array([[0, 0], [1, 1]])
    db_classes = np.array([0, 1])
    queries = np.array([[0, 0], [0, 1], [1, 1]])
    q_classes = np.array([0, 0, 1])
    scores = retrieval_scores("m", queries, q_classes, database, db_classes, (1,), None)
    # query 0 → row 0 (class 0): AP 1; query 1 ties, takes row 0 (class 0): AP 1; query 2: 1
    assert scores.per_class == {0: {1: 100.0}, 1: {1: 100.0}}
    flipped = retrieval_scores("m", queries, 1 - q_classes, database, db_classes, (1,), None)
    assert flipped.per_class == {0: {1: 0.0}, 1: {1: 0.0}}
    mixed = retrieval_scores("m", queries, np.array([0, 1, 1]), database, db_classes, (1,), None)
    assert mixed.per_class == {0: {1: 100.0}, 1: {1: 50.0}}
    assert mixed.overall[1] == pytest.approx(75.0)  # mean of the classes
    assert mixed.overall_queries[1] == pytest.approx(200 / 3)  # mean of the queries
    other = retrieval_scores(
        "b", 1 - queries, np.array([0, 1, 1]), database, db_classes, (1,), None
    )
    text = to_markdown([mixed, other], "T")
    assert "| Class | Queries | Top-1 m | Top-1 b |" in text
    assert "| L01 open | 2 | 50.00% | 0.00% |" in text and "**75.00%**" in text
    with pytest.raises(ValueError, match="same queries"):
        to_markdown([mixed, scores], "T")
    assert to_dict([mixed], {})["models"]["m"]["classes"]["L01 closed"]["map@1"] == 100.0
