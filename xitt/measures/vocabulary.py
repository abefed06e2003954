"""Data-level measures from the words (or subwords) of two tasks' training inputs.

Overlaps (Jaccard over the top-k frequent types; LangRank's |A∩B|/(|A|+|B|), Lin et al.
2019) and term-distribution divergences as in Ruder and Plank 2017 (Jensen-Shannon,
Rényi of order alpha, cosine, L1, Bhattacharyya). Every function takes a count matrix
(tasks x vocabulary) for the rows and one for the columns and returns all pairs at once.
Each measure's direction and range are declared in ``KINDS``.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterable

import numpy as np
from scipy.special import xlogy

from xitt.measures.kinds import Kind, distance, similarity

KINDS: dict[str, Kind] = {
    "jaccard": similarity(0.0, 1.0),
    "langrank": similarity(0.0, 0.5),
    "jensen_shannon": distance(0.0, 1.0),
    "renyi": distance(0.0, None),
    "cosine": similarity(0.0, 1.0),
    "l1": distance(0.0, 2.0),
    "bhattacharyya": distance(0.0, None),
}

ROWS_PER_CHUNK = 8  # rows x columns x vocabulary floats per chunk stay small for big vocabularies


def word_counts(texts: Iterable[str]) -> Counter:
    """Whitespace tokens of the texts, counted."""
    return Counter(word for text in texts for word in text.split())


def count_matrices(rows: list[Counter], columns: list[Counter]) -> tuple[np.ndarray, np.ndarray]:
    """Counts of every task over the union vocabulary (sorted, so the order is stable)."""
    vocabulary = sorted(set().union(*rows, *columns))
    index = {word: i for i, word in enumerate(vocabulary)}

    def dense(counters: list[Counter]) -> np.ndarray:
        out = np.zeros((len(counters), len(vocabulary)))
        for r, counter in enumerate(counters):
            out[r, [index[w] for w in counter]] = list(counter.values())
        return out

    return dense(rows), dense(columns)


def top_k_mask(counts: np.ndarray, k: int) -> np.ndarray:
    """Per row, the k most frequent types present (ties broken by vocabulary order)."""
    order = np.argsort(-counts, axis=1, kind="stable")[:, :k]
    mask = np.zeros(counts.shape, dtype=bool)
    np.put_along_axis(mask, order, True, axis=1)
    return mask & (counts > 0)


def jaccard_top_k(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """|A∩B| / |A∪B| of the top-k type sets; 0 when both are empty."""
    ma, mb = top_k_mask(a, k).astype(float), top_k_mask(b, k).astype(float)
    inter = ma @ mb.T
    union = ma.sum(1)[:, None] + mb.sum(1)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def langrank_overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LangRank's type overlap |A∩B| / (|A| + |B|), in [0, 0.5] (0.5 for identical sets)."""
    ma, mb = (a > 0).astype(float), (b > 0).astype(float)
    inter = ma @ mb.T
    total = ma.sum(1)[:, None] + mb.sum(1)[None, :]
    return np.divide(inter, total, out=np.zeros_like(inter), where=total > 0)


def distributions(counts: np.ndarray, smoothing: float = 0.0) -> np.ndarray:
    """Rows normalised to probabilities, after adding ``smoothing`` to every count."""
    counts = np.asarray(counts, dtype=np.float64) + smoothing
    return counts / counts.sum(1, keepdims=True)


def _pairwise(p: np.ndarray, q: np.ndarray, fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """fn over broadcast (rows, 1, V) and (1, columns, V) blocks, a few rows at a time."""
    out = np.empty((len(p), len(q)))
    for start in range(0, len(p), ROWS_PER_CHUNK):
        out[start : start + ROWS_PER_CHUNK] = fn(p[start : start + ROWS_PER_CHUNK, None, :], q[None, :, :])
    return out


def jensen_shannon(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The Jensen-Shannon divergence in bits, in [0, 1] (scipy's ``jensenshannon`` is its root)."""

    def js(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        m = (a + b) / 2
        return 0.5 * (xlogy(a, np.divide(a, m, out=np.ones_like(m), where=m > 0)).sum(-1)
                      + xlogy(b, np.divide(b, m, out=np.ones_like(m), where=m > 0)).sum(-1)) / np.log(2)

    return np.clip(_pairwise(p, q, js), 0.0, 1.0)


def renyi(p: np.ndarray, q: np.ndarray, alpha: float) -> np.ndarray:
    """D_alpha(P||Q) = log(sum p^alpha q^(1-alpha)) / (alpha - 1), in nats; alpha != 1.

    Infinite where Q lacks a type P has (alpha > 1) or the supports are disjoint: smooth
    the counts (``distributions(..., smoothing)``) to keep it finite."""
    if alpha == 1.0 or alpha <= 0:
        raise ValueError(f"Rényi divergence needs alpha > 0 and alpha != 1, got {alpha}")
    with np.errstate(divide="ignore"):
        return np.maximum(_pairwise(p, q, lambda a, b: np.log((a**alpha * b ** (1 - alpha)).sum(-1)) / (alpha - 1)), 0.0)


def bhattacharyya(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """-log sum sqrt(p q): 0 for identical distributions, infinite for disjoint ones."""
    with np.errstate(divide="ignore"):
        return np.maximum(-np.log(np.sqrt(p) @ np.sqrt(q).T), 0.0)


def cosine(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Cosine of the term-frequency vectors, in [0, 1] since frequencies are non-negative."""
    a = p / np.linalg.norm(p, axis=1, keepdims=True)
    b = q / np.linalg.norm(q, axis=1, keepdims=True)
    return np.clip(a @ b.T, 0.0, 1.0)


def l1(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Variational (L1) distance between the distributions, in [0, 2]."""
    return _pairwise(p, q, lambda a, b: np.abs(a - b).sum(-1))


def compare(measure: str, rows: np.ndarray, columns: np.ndarray, *, top_k: int, alpha: float, smoothing: float) -> np.ndarray:
    """The (rows x columns) matrix of one measure, from two count matrices."""
    if measure == "jaccard":
        return jaccard_top_k(rows, columns, top_k)
    if measure == "langrank":
        return langrank_overlap(rows, columns)
    p, q = distributions(rows, smoothing), distributions(columns, smoothing)
    if measure == "jensen_shannon":
        return jensen_shannon(p, q)
    if measure == "renyi":
        return renyi(p, q, alpha)
    if measure == "bhattacharyya":
        return bhattacharyya(p, q)
    if measure == "cosine":
        return cosine(p, q)
    if measure == "l1":
        return l1(p, q)
    raise ValueError(f"unknown vocabulary measure {measure!r}; known: {', '.join(KINDS)}")
