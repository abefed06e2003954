"""Correlations that account for structure: partial correlation and repeated measures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Adjusted:
    """A coefficient with its t-test p-value and the degrees of freedom used; r and p are
    None, and ``reason`` says why, when the coefficient does not exist."""

    r: float | None
    p: float | None
    n: int
    dof: int
    reason: str = ""


def _t_pvalue(r: float, dof: int) -> float:
    t = r * np.sqrt(dof / (1 - r * r)) if abs(r) < 1 else np.inf
    return float(2 * stats.t.sf(abs(t), dof))


def _residuals(v: np.ndarray, design: np.ndarray) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(design, v, rcond=None)
    return v - design @ coef


_EXPLAINED = 1e-9  # residual norm, relative to the centred norm, below which a variable is a function of the covariates


def _explained(v: np.ndarray, residual: np.ndarray) -> bool:
    """True when the covariates explain ``v`` entirely (up to rounding): nothing is left to correlate."""
    centred = np.linalg.norm(v - v.mean())
    return centred == 0 or np.linalg.norm(residual) <= _EXPLAINED * centred


def partial_correlation(x, y, covariates, method: str = "pearson") -> Adjusted:
    """Correlation of x and y after regressing both on the covariates (e.g. intermediate data size).

    Spearman ranks every variable first. The p-value is the t-test with n - 2 - k degrees
    of freedom for k covariates (as pingouin.partial_corr).

    Undefined (r and p None, with the reason) when x or y is constant, when the covariates
    explain x or y entirely (Pearson: a linear function of them; Spearman: a monotone one,
    since ranks are compared), or when no degree of freedom is left. pingouin returns a
    number there, the correlation of two rounding-noise residuals.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    z = np.asarray(covariates, dtype=float).reshape(len(x), -1)
    if method == "spearman":
        x, y, z = stats.rankdata(x), stats.rankdata(y), stats.rankdata(z, axis=0)
    elif method != "pearson":
        raise ValueError(f"partial correlation supports pearson and spearman, not {method!r}")
    n, dof = len(x), len(x) - 2 - z.shape[1]
    if dof < 1:
        return Adjusted(None, None, n, dof, f"no degree of freedom left: {n} points, {z.shape[1]} covariate(s)")
    design = np.column_stack([np.ones(n), z])
    rx, ry = _residuals(x, design), _residuals(y, design)
    kind = "a monotone" if method == "spearman" else "a linear"
    for name, v, residual in (("similarity", x, rx), ("gain", y, ry)):
        if _explained(v, residual):
            why = "is constant" if np.ptp(v) == 0 else f"is {kind} function of the covariate"
            return Adjusted(None, None, n, dof, f"the {name} {why}: nothing is left to correlate once it is controlled for")
    r = float(stats.pearsonr(rx, ry).statistic)
    return Adjusted(r, _t_pvalue(r, dof), n, dof)


def repeated_measures_correlation(x, y, subject: Sequence) -> Adjusted:
    """Within-subject correlation (Bakdash and Marusich 2017), e.g. across languages.

    Each subject (a language, say) gets its own intercept and all share one slope; r is
    the Pearson correlation of the subject-centred values, tested with N - k - 1 degrees of
    freedom for N rows and k subjects.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    codes = np.unique(np.asarray(subject), return_inverse=True)[1].ravel()
    k = codes.max() + 1
    counts = np.bincount(codes, minlength=k)
    xc = x - (np.bincount(codes, x, k) / counts)[codes]
    yc = y - (np.bincount(codes, y, k) / counts)[codes]
    r = float(np.sum(xc * yc) / np.sqrt(np.sum(xc * xc) * np.sum(yc * yc)))
    dof = len(x) - k - 1
    return Adjusted(r, _t_pvalue(r, dof), len(x), int(dof))
