"""Ranked retrieval scored by mean average precision at k (XTREME-R's LAReQA and Mewsli-X).

For one query with relevant set R, ranking the candidates by score (ties: the earlier
candidate first),

    AP@k = (1 / min(|R|, k)) * sum over ranks i <= k of precision@i * [candidate i is relevant]

and mAP@k is its mean over queries. With one relevant candidate (Mewsli-X: the gold entity)
AP@k is the reciprocal rank when it is within the top k, else 0: the "MRR/MAP@20" of
XTREME-R's ``utils_mewslix.evaluate``. LAReQA's relevant set is the answer sentence in every
language of the pool (``utils_lareqa.mean_avg_prec``), at most 11, so ``min(|R|, 20) = |R|``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

TOP_K = 20  # XTREME-R caps LAReQA and Mewsli-X at the top 20 candidates


def average_precision_at(ranked: Sequence[int], relevant: Collection[int], k: int = TOP_K) -> float:
    """AP@k of one query: ``ranked`` lists candidate indices best first; 0 when nothing is relevant."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, candidate in enumerate(ranked[:k], start=1):
        if candidate in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k)


def mean_average_precision(scores: np.ndarray, relevant: Sequence[Collection[int]], k: int = TOP_K) -> float:
    """mAP@k over the rows of ``scores`` (queries, candidates); ``relevant[q]`` holds the
    candidate indices relevant to query q. 0 for no queries."""
    if len(scores) == 0:
        return 0.0
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return float(np.mean([average_precision_at(order[q].tolist(), set(relevant[q]), k) for q in range(len(scores))]))
