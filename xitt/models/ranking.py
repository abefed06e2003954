"""Ranked retrieval scored by mean average precision at k (XTREME-R's LAReQA and Mewsli-X).

For one query with relevant set R, ranking the candidates by score,

    AP@k = (1 / min(|R|, k)) * sum over ranks i <= k of precision@i * [candidate i is relevant and new]

(``utils_lareqa.average_precision_at_k``: a candidate listed twice counts once) and mAP@k
is its mean over queries. With one relevant candidate (Mewsli-X: the gold entity) AP@k is
the reciprocal rank when it is within the top k, else 0: the "MRR/MAP@20" of XTREME-R's
``utils_mewslix.evaluate``. LAReQA's relevant set is the answer sentence in every language
of the pool, at most 11, so ``min(|R|, 20) = |R|``.

Ties: Mewsli-X ranks with faiss's exact search, which lists the earlier candidate first
(``ties="first"``); LAReQA ranks with ``scores.argsort()[::-1]`` (``ties="lareqa"``: numpy's
default sort, reversed, so among equal scores the later candidate tends to come first).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

TOP_K = 20  # XTREME-R caps LAReQA and Mewsli-X at the top 20 candidates


def average_precision_at(ranked: Sequence, relevant: Collection, k: int | None = TOP_K) -> float:
    """AP@k of one query: ``ranked`` lists candidates (indices or ids) best first; 0 when
    nothing is relevant. ``k=None``: the whole ranking."""
    if not relevant:
        return 0.0
    ranked = list(ranked[:k] if k else ranked)
    hits, total = 0, 0.0
    for rank, candidate in enumerate(ranked, start=1):
        if candidate in relevant and candidate not in ranked[: rank - 1]:
            hits += 1
            total += hits / rank
    return total / (min(len(relevant), k) if k else len(relevant))


def rank(scores: np.ndarray, k: int | None = TOP_K, ties: str = "first") -> np.ndarray:
    """Per row of ``scores`` (queries, candidates), the candidate indices best first, the
    first ``k``; ``ties`` as the module says."""
    if ties == "first":
        order = np.argsort(-scores, axis=1, kind="stable")
    elif ties == "lareqa":
        order = np.argsort(scores, axis=1)[:, ::-1]
    else:
        raise ValueError(f"ties must be 'first' or 'lareqa', got {ties!r}")
    return order[:, :k] if k else order


def mean_of_rankings(relevant: Sequence[Collection], ranked: Sequence[Sequence], k: int | None = TOP_K) -> float:
    """mAP@k of given rankings: ``ranked[q]`` best first, ``relevant[q]`` its relevant
    candidates (as ids or indices, the same kind). 0 for no queries."""
    if len(relevant) != len(ranked):
        raise ValueError(f"{len(relevant)} queries with relevant sets but {len(ranked)} rankings")
    if not len(ranked):
        return 0.0
    return float(np.mean([average_precision_at(list(r), set(g), k) for g, r in zip(relevant, ranked)]))


def mean_average_precision(scores: np.ndarray, relevant: Sequence[Collection[int]], k: int = TOP_K,
                           ties: str = "first") -> float:
    """mAP@k over the rows of ``scores`` (queries, candidates); ``relevant[q]`` holds the
    candidate indices relevant to query q. 0 for no queries."""
    if len(scores) == 0:
        return 0.0
    return mean_of_rankings(relevant, rank(scores, k, ties).tolist(), k)
