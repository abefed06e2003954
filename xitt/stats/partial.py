"""Correlations that account for structure: partial correlation and repeated measures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Adjusted:
    """A coefficient with its t-test p-value and the degrees of freedom used."""

    r: float
    p: float
    n: int
    dof: int


def _t_pvalue(r: float, dof: int) -> float:
    t = r * np.sqrt(dof / (1 - r * r)) if abs(r) < 1 else np.inf
    return float(2 * stats.t.sf(abs(t), dof))


def _residuals(v: np.ndarray, design: np.ndarray) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(design, v, rcond=None)
    return v - design @ coef


def partial_correlation(x, y, covariates, method: str = "pearson") -> Adjusted:
    """Correlation of x and y after regressing both on the covariates (e.g. intermediate data size).

    Spearman ranks every variable first. The p-value is the t-test with n - 2 - k degrees
    of freedom for k covariates (as pingouin.partial_corr).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    z = np.asarray(covariates, dtype=float).reshape(len(x), -1)
    if method == "spearman":
        x, y, z = stats.rankdata(x), stats.rankdata(y), stats.rankdata(z, axis=0)
    elif method != "pearson":
        raise ValueError(f"partial correlation supports pearson and spearman, not {method!r}")
    design = np.column_stack([np.ones(len(x)), z])
    r = float(stats.pearsonr(_residuals(x, design), _residuals(y, design)).statistic)
    dof = len(x) - 2 - z.shape[1]
    return Adjusted(r, _t_pvalue(r, dof), len(x), dof)


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
