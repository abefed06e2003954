"""Multiple-comparison corrections over all the tests of a report."""

from __future__ import annotations

from typing import Sequence

import numpy as np

ADJUSTMENTS: tuple[str, ...] = ("holm", "bh", "none")


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment: controls the family-wise error rate under any dependence."""
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(np.maximum.accumulate((m - np.arange(m)) * p[order]), 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg step-up adjustment: controls the false discovery rate
    (under independence or positive dependence of the tests)."""
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = m / np.arange(1, m + 1) * p[order]
    adjusted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


def adjust(pvalues: Sequence[float | None], method: str) -> list[float | None]:
    """Adjust the defined p-values together; undefined ones (None) stay None and do not count."""
    if method not in ADJUSTMENTS:
        raise ValueError(f"unknown adjustment {method!r}")
    index = [i for i, p in enumerate(pvalues) if p is not None]
    if not index or method == "none":
        return list(pvalues)
    p = np.array([pvalues[i] for i in index], dtype=float)
    adjusted = holm(p) if method == "holm" else benjamini_hochberg(p)
    out: list[float | None] = [None] * len(pvalues)
    for position, value in zip(index, adjusted):
        out[position] = float(value)
    return out
