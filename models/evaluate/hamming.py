"""Hamming ranking of binary codes and the ranking mAP at k of the hashing papers.

Codes are (N, bits) arrays of 0/1. ``hamming_distances`` counts differing bits;
``hamming_rank`` orders a database by distance to each query, ties broken by database order
(a stable sort) or by a given ``tie_order``. Ties are frequent (many images share a code), and
a data set stored open images first would favour them: ``map_at_k`` breaks ties in a random
order fixed by ``tie_seed`` (None: database order). ``average_precision_at_k`` is the ranking AP of
Lin et al. (the paper's metric [18]) over the top k: the mean of the precisions at the ranks
where a relevant item (same class as the query) is retrieved,
``AP@k = Σ_{i ≤ k} P(i)·rel(i) / Σ_{i ≤ k} rel(i)``, and 0 where none of the k is relevant.
"""

from __future__ import annotations

import numpy as np

CHUNK = 1024  # queries per distance block


def _bits(codes: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(codes)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be (N, bits), got shape {arr.shape}")
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{name} must hold 0/1 bits only")
    return arr.astype(np.float32)


def hamming_distances(queries: np.ndarray, database: np.ndarray) -> np.ndarray:
    """(Q, D) int32 numbers of differing bits."""
    q, d = _bits(queries, "queries"), _bits(database, "database")
    if q.shape[1] != d.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} bits, the database {d.shape[1]}")
    # differing = |q| + |d| − 2 q·d
    dist = q.sum(1, keepdims=True) + d.sum(1)[None, :] - 2.0 * (q @ d.T)
    return np.rint(dist).astype(np.int32)


def hamming_rank(
    queries: np.ndarray,
    database: np.ndarray,
    k: int | None = None,
    tie_order: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(indices, distances), both (Q, k): the k nearest database rows of each query; at equal
    distance the row that comes first in ``tie_order`` (a permutation; default: row order)."""
    if tie_order is not None:
        tie_order = np.asarray(tie_order)
        if sorted(tie_order.tolist()) != list(range(len(database))):
            raise ValueError("tie_order must be a permutation of the database rows")
        order, dist = hamming_rank(queries, np.asarray(database)[tie_order], k)
        return tie_order[order], dist
    n = len(database)
    k = n if k is None else min(k, n)
    if k < 1:
        raise ValueError(f"k must be >= 1 and the database non-empty (k={k}, {n} rows)")
    index_parts, dist_parts = [], []
    for start in range(0, len(queries), CHUNK):
        dist = hamming_distances(queries[start : start + CHUNK], database)
        order = np.argsort(dist, axis=1, kind="stable")[:, :k]
        index_parts.append(order)
        dist_parts.append(np.take_along_axis(dist, order, axis=1))
    if not index_parts:
        return np.zeros((0, k), np.int64), np.zeros((0, k), np.int32)
    return np.concatenate(index_parts), np.concatenate(dist_parts)


def average_precision_at_k(relevant: np.ndarray, k: int) -> np.ndarray:
    """(Q,) AP@k of (Q, >= k) relevance flags in rank order (see the module doc)."""
    rel = np.asarray(relevant, bool)[:, :k].astype(np.float64)
    if rel.ndim != 2 or k < 1:
        raise ValueError(f"relevant must be (Q, n) and k >= 1, got {rel.shape}, k={k}")
    hits = rel.cumsum(axis=1)
    ranks = np.arange(1, rel.shape[1] + 1)
    precision_sum = (hits / ranks * rel).sum(axis=1)
    found = rel.sum(axis=1)
    return np.divide(precision_sum, found, out=np.zeros_like(found), where=found > 0)


def map_at_k(
    query_codes: np.ndarray,
    query_classes: np.ndarray,
    db_codes: np.ndarray,
    db_classes: np.ndarray,
    ks: tuple[int, ...] = (10, 50),
    tie_seed: int | None = 0,
) -> dict[int, np.ndarray]:
    """Per k, the (Q,) AP@k of every query ranked against the database by Hamming distance,
    ties in a random order drawn from ``tie_seed`` (None: database order)."""
    if len(query_codes) != len(query_classes) or len(db_codes) != len(db_classes):
        raise ValueError("codes and classes must have the same number of rows")
    ties = None
    if tie_seed is not None:
        ties = np.random.default_rng(tie_seed).permutation(len(db_codes))
    order, _ = hamming_rank(query_codes, db_codes, max(ks), ties)
    relevant = np.asarray(db_classes)[order] == np.asarray(query_classes)[:, None]
    return {k: average_precision_at_k(relevant, k) for k in ks}
