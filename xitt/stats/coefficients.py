"""Correlation coefficients, one pair at a time and batched over resamples.

The single-pair functions defer to scipy.stats (the reference a reviewer trusts); the
batched ones compute the same numbers for many resamples at once with numpy, which is
what makes 10,000 permutations or bootstraps cheap.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats

from xitt.stats import METHODS  # declared in the light package root, which the checker imports

_CHUNK_CELLS = 4_000_000  # cells of a (rows, n, n) sign array held at once by kendall_rows


def coefficient(method: str, x: np.ndarray, y: np.ndarray) -> float:
    """The coefficient of one (x, y) pair, computed by scipy.stats."""
    if method == "spearman":
        return float(stats.spearmanr(x, y).statistic)
    if method == "pearson":
        return float(stats.pearsonr(x, y).statistic)
    if method == "kendall":
        return float(stats.kendalltau(x, y).statistic)  # tau-b
    if method == "weighted_tau":
        return float(stats.weightedtau(x, y).statistic)  # hyperbolic weights, additive
    raise ValueError(f"unknown correlation method {method!r}")


def pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r of each row of ``x`` with the same row of ``y`` (both (rows, n)); nan for a constant row."""
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.einsum("...i,...i->...", xc, yc) / np.sqrt(np.einsum("...i,...i->...", xc, xc) * np.einsum("...i,...i->...", yc, yc))
    return np.clip(r, -1.0, 1.0)


def spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman rho per row: Pearson on average ranks (ties share their mean rank, as in scipy)."""
    return pearson_rows(stats.rankdata(x, axis=-1), stats.rankdata(y, axis=-1))


def kendall_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kendall tau-b per row, from pairwise sign matrices (O(rows n^2), chunked to bound memory)."""
    shape = x.shape[:-1]
    x, y = x.reshape(-1, x.shape[-1]), y.reshape(-1, y.shape[-1])
    rows, n = x.shape
    out = np.empty(rows)
    chunk = max(1, _CHUNK_CELLS // (n * n))
    total = n * (n - 1) / 2
    for start in range(0, rows, chunk):
        xs, ys = x[start:start + chunk], y[start:start + chunk]
        sx = np.sign(xs[:, :, None] - xs[:, None, :])
        sy = np.sign(ys[:, :, None] - ys[:, None, :])
        concordance = np.einsum("bij,bij->b", sx, sy) / 2
        tied_x = (n * n - np.count_nonzero(sx, axis=(1, 2)) - n) / 2
        tied_y = (n * n - np.count_nonzero(sy, axis=(1, 2)) - n) / 2
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start:start + chunk] = concordance / np.sqrt((total - tied_x) * (total - tied_y))
    return out.reshape(shape)


def weighted_tau_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weighted tau per row; scipy has no batched form, so this loops."""
    return np.array([stats.weightedtau(a, b).statistic for a, b in zip(x, y)], dtype=float)


ROWS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "spearman": spearman_rows,
    "pearson": pearson_rows,
    "kendall": kendall_rows,
    "weighted_tau": weighted_tau_rows,
}


def rows_function(method: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The batched coefficient for ``method``."""
    if method not in ROWS:
        raise ValueError(f"unknown correlation method {method!r}")
    return ROWS[method]


def is_constant(v: np.ndarray) -> bool:
    """All values equal, up to floating-point noise of their magnitude (0.1 + 0.2 and 0.3 are equal)."""
    v = np.asarray(v, dtype=float)
    return bool(np.ptp(v) <= 8 * len(v) * np.finfo(float).eps * np.max(np.abs(v))) if len(v) else True


def undefined_reason(x: np.ndarray, y: np.ndarray, names: tuple[str, str] = ("similarity", "gain")) -> str:
    """Why no correlation of (x, y) exists, or "" when it does: fewer than 3 points, or a
    variable with a single distinct value (a correlation is then 0/0, never a number)."""
    if len(x) < 3:
        return f"fewer than 3 points ({len(x)})"
    for name, v in zip(names, (x, y)):
        if is_constant(v):
            return f"every {name} is the same"
    return ""

