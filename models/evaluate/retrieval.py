"""Retrieval tables of the hashing models, laid out as the paper's Tables II and III.

Queries (default: the test split) are ranked against a database (default: the train split) by
the Hamming distance of their 48-bit codes; a retrieved image is relevant when it has the
query's class (lift × bar state). Per class: the mean over its queries of AP@10 and AP@50
(``models.evaluate.hamming``); ``Overall`` is the mean of the per-class values, as the paper
averages its concepts; the JSON also gives the mean over all queries (``overall_queries``).
Database images at the same distance from a query come in a random order (seed 0): with 48-bit
codes many images share a code, and the data set stores each lift's open images first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models.evaluate.hamming import map_at_k
from models.zoo.hash_classes import class_name

KS: tuple[int, ...] = (10, 50)
OVERALL = "Overall"


@dataclass(frozen=True)
class RetrievalScores:
    """One model's mAP@k (per cent) per query class and overall."""

    model: str
    ks: tuple[int, ...]
    per_class: dict[int, dict[int, float]]  # class → k → mAP %
    queries: dict[int, int]  # class → number of queries
    overall: dict[int, float]  # mean of the classes
    overall_queries: dict[int, float]  # mean of all queries
    database: int
    extra: dict[str, Any] = field(default_factory=dict)


def retrieval_scores(
    model: str,
    query_codes: np.ndarray,
    query_classes: np.ndarray,
    db_codes: np.ndarray,
    db_classes: np.ndarray,
    ks: tuple[int, ...] = KS,
    tie_seed: int | None = 0,
) -> RetrievalScores:
    """Rank every query against the database and average AP@k per class (ties: see
    ``models.evaluate.hamming.map_at_k``)."""
    if len(query_codes) == 0 or len(db_codes) == 0:
        raise ValueError("retrieval needs at least one query and one database image")
    aps = map_at_k(query_codes, query_classes, db_codes, db_classes, ks, tie_seed)
    classes = sorted(int(c) for c in np.unique(query_classes))
    per_class = {
        c: {k: 100.0 * float(aps[k][query_classes == c].mean()) for k in ks} for c in classes
    }
    return RetrievalScores(
        model=model,
        ks=ks,
        per_class=per_class,
        queries={c: int((query_classes == c).sum()) for c in classes},
        overall={k: float(np.mean([per_class[c][k] for c in classes])) for k in ks},
        overall_queries={k: 100.0 * float(aps[k].mean()) for k in ks},
        database=len(db_codes),
    )


def _check_same(results: list[RetrievalScores]) -> None:
    if not results:
        raise ValueError("no retrieval result to tabulate")
    first = results[0]
    for r in results[1:]:
        if r.ks != first.ks or r.queries != first.queries:
            raise ValueError(f"{r.model} was not scored on the same queries as {first.model}")


def to_markdown(results: list[RetrievalScores], title: str) -> str:
    """Class | Top-k per model ... | as the paper's Tables II and III."""
    _check_same(results)
    ks = results[0].ks
    head = ["Class", "Queries"] + [f"Top-{k} {r.model}" for k in ks for r in results]
    lines = [f"**{title}**", "", "| " + " | ".join(head) + " |"]
    lines.append("|" + "|".join([":---", "---:"] + ["---:"] * (len(head) - 2)) + "|")
    for c, n in results[0].queries.items():
        cells = [f"{r.per_class[c][k]:.2f}%" for k in ks for r in results]
        lines.append("| " + " | ".join([class_name(c), str(n), *cells]) + " |")
    total = sum(results[0].queries.values())
    cells = [f"**{r.overall[k]:.2f}%**" for k in ks for r in results]
    lines.append("| " + " | ".join([f"**{OVERALL}**", str(total), *cells]) + " |")
    return "\n".join(lines) + "\n"


def to_dict(results: list[RetrievalScores], meta: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready: per model, per class name, ``map@k`` in per cent."""
    _check_same(results)
    return meta | {
        "metric": "mAP@k (%), Hamming ranking, relevant = same lift × bar state class",
        "ties": "database images at equal distance in a random order (seed 0)",
        "models": {
            r.model: {
                "database": r.database,
                "overall": {f"map@{k}": v for k, v in r.overall.items()},
                "overall_queries": {f"map@{k}": v for k, v in r.overall_queries.items()},
                "classes": {
                    class_name(c): {"queries": r.queries[c]}
                    | {f"map@{k}": v for k, v in r.per_class[c].items()}
                    for c in r.per_class
                },
            }
            | r.extra
            for r in results
        },
    }
