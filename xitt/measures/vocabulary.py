"""Data-level similarity from word distributions (Ruder and Plank 2017).

Both measures are returned as similarities in [0, 1]: 1 - Jensen-Shannon divergence
(base 2, so the divergence is in [0, 1]), and Jaccard overlap of the top-k words.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

import numpy as np
from scipy.spatial.distance import jensenshannon


def word_counts(texts: Iterable[str]) -> Counter:
    return Counter(word for text in texts for word in text.split())


def jensen_shannon_similarity(a: Counter, b: Counter) -> float:
    """1 - JSD. scipy's ``jensenshannon`` returns the distance (the square root): squared here."""
    vocabulary = sorted(set(a) | set(b))
    p = np.array([a[w] for w in vocabulary], dtype=float)
    q = np.array([b[w] for w in vocabulary], dtype=float)
    divergence = float(jensenshannon(p, q, base=2) ** 2)
    return 1.0 - divergence


def jaccard_top_k(a: Counter, b: Counter, k: int) -> float:
    top_a = {w for w, _ in sorted(a.items(), key=lambda item: (-item[1], item[0]))[:k]}
    top_b = {w for w, _ in sorted(b.items(), key=lambda item: (-item[1], item[0]))[:k]}
    union = top_a | top_b
    return len(top_a & top_b) / len(union) if union else 0.0


def similarity(measure: str, a: Counter, b: Counter, top_k: int) -> float:
    if measure == "jensen_shannon":
        return jensen_shannon_similarity(a, b)
    if measure == "jaccard":
        return jaccard_top_k(a, b, top_k)
    raise ValueError(f"unknown vocabulary measure {measure!r}")
