"""How well a similarity measure picks intermediate tasks: ranking metrics of Poth et al. (2021).

A measure ranks the candidate sources for one target; the truth is each source's
performance on the target after transfer.
"""

from __future__ import annotations

import numpy as np


def _predicted_order(predicted: np.ndarray) -> np.ndarray:
    """Sources from most to least similar; ties keep their given order (stable)."""
    return np.argsort(-np.asarray(predicted, dtype=float), kind="stable")


def ndcg_at_k(predicted, relevance, k: int | None = None) -> float:
    """Normalised discounted cumulative gain of the top k of the predicted ranking.

    Relevance must be non-negative (Poth et al. use the target performance after
    transfer); the discount is 1/log2(rank + 1), the ideal order sorts by relevance.
    """
    relevance = np.asarray(relevance, dtype=float)
    if np.any(relevance < 0):
        raise ValueError("NDCG needs non-negative relevance; pass performance, not gain")
    k = len(relevance) if k is None else min(k, len(relevance))
    discount = 1 / np.log2(np.arange(2, k + 2))
    ideal = np.sort(relevance)[::-1][:k] @ discount
    if ideal == 0:
        return float("nan")
    return float(relevance[_predicted_order(predicted)][:k] @ discount / ideal)


def regret_at_k(predicted, performance, k: int = 1) -> float:
    """Relative shortfall of the best of the top-k picks from the best source, in percent:
    100 (O - M_k) / O, with O the best performance and M_k the best among the top k."""
    performance = np.asarray(performance, dtype=float)
    best = performance.max()
    picked = performance[_predicted_order(predicted)][:k].max()
    return float(100 * (best - picked) / best) if best != 0 else float("nan")


def best_source_rank(predicted, performance) -> int:
    """1-based position of the truly best source in the predicted ranking (ties: the first best)."""
    best = int(np.argmax(np.asarray(performance, dtype=float)))
    return int(np.flatnonzero(_predicted_order(predicted) == best)[0]) + 1
