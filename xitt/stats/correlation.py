"""Rank and linear correlations with permutation p-values and multiple-comparison corrections.

Pure numpy/scipy on arrays; deterministic given the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Correlation:
    method: str
    n: int
    r: float | None  # None when undefined (fewer than 3 points, or a constant input)
    p: float | None  # permutation p-value (two-sided), or scipy's asymptotic one when permutations=0


def coefficient(method: str, x: np.ndarray, y: np.ndarray) -> float:
    if method == "spearman":
        return float(stats.spearmanr(x, y).statistic)
    if method == "pearson":
        return float(stats.pearsonr(x, y).statistic)
    if method == "kendall":
        return float(stats.kendalltau(x, y).statistic)  # tau-b
    raise ValueError(f"unknown correlation method {method!r}")


def permutation_pvalue(method: str, x: np.ndarray, y: np.ndarray, permutations: int, seed: int) -> float:
    """Two-sided p: the share of shuffles of ``y`` whose |r| reaches the observed |r|.

    Spearman and Pearson are vectorised over all permutations at once (Spearman as
    Pearson on ranks); Kendall loops. The +1 counts the observed order, so p is never 0.
    """
    rng = np.random.default_rng(seed)
    observed = abs(coefficient(method, x, y))
    order = np.argsort(rng.random((permutations, len(y))), axis=1)
    if method in ("spearman", "pearson"):
        a = stats.rankdata(x) if method == "spearman" else np.asarray(x, dtype=float)
        b = stats.rankdata(y) if method == "spearman" else np.asarray(y, dtype=float)
        a = (a - a.mean()) / np.linalg.norm(a - a.mean())
        b = (b - b.mean()) / np.linalg.norm(b - b.mean())
        shuffled = np.abs(b[order] @ a)
    else:
        shuffled = np.array([abs(coefficient(method, x, y[idx])) for idx in order])
    hits = int(np.sum(shuffled >= observed - 1e-12))
    return (hits + 1) / (permutations + 1)


def correlate(method: str, x, y, permutations: int = 1000, seed: int = 0) -> Correlation:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return Correlation(method, n, None, None)
    r = coefficient(method, x, y)
    if permutations > 0:
        p = permutation_pvalue(method, x, y, permutations, seed)
    else:
        test = {"spearman": stats.spearmanr, "pearson": stats.pearsonr, "kendall": stats.kendalltau}[method]
        p = float(test(x, y).pvalue)
    return Correlation(method, n, r, p)


def adjust(pvalues: list[float | None], method: str) -> list[float | None]:
    """Holm or Benjamini-Hochberg over the defined p-values; undefined ones stay None."""
    index = [i for i, p in enumerate(pvalues) if p is not None]
    out: list[float | None] = [None] * len(pvalues)
    if not index or method == "none":
        return list(pvalues)
    p = np.array([pvalues[i] for i in index])
    m = len(p)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method == "bh":
        adjusted = np.minimum.accumulate((m / np.arange(1, m + 1) * ranked)[::-1])[::-1]
    else:
        raise ValueError(f"unknown adjustment {method!r}")
    adjusted = np.minimum(adjusted, 1.0)
    for rank, position in enumerate(order):
        out[index[position]] = float(adjusted[rank])
    return out
