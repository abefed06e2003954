"""One correlation, reported the way a reviewer expects: coefficient, permutation p-value,
bootstrap confidence interval, and how each was obtained.

Deterministic given the seed: the permutation and the bootstrap draw from two independent
streams spawned from it, so changing one resample count leaves the other's numbers alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats

from xitt.stats.adjust import adjust
from xitt.stats.coefficients import METHODS, coefficient, undefined_reason
from xitt.stats.resampling import bootstrap_interval, permutation_test

__all__ = ["METHODS", "Correlation", "adjust", "coefficient", "correlate", "streams"]

_ASYMPTOTIC = {"spearman": stats.spearmanr, "pearson": stats.pearsonr, "kendall": stats.kendalltau}


@dataclass(frozen=True)
class Correlation:
    method: str
    n: int
    r: float | None  # None when undefined (fewer than 3 points, or a constant input)
    p: float | None  # two-sided
    p_method: str = "none"  # "exact", "monte carlo", "blocked ...", "unit-level ...", "asymptotic" or "none"
    ci_low: float | None = None
    ci_high: float | None = None
    ci_method: str = "none"  # "bca", "percentile" (BCa degenerated: see ci_note) or "none"
    ci_note: str = ""
    reason: str = ""  # why r is undefined, "" when it is defined
    p_smallest: float | None = None  # the smallest p the test could reach on these data (None: not limited, or no test)


def streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent generators for the permutation test and the bootstrap."""
    permutation, bootstrap = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(permutation), np.random.default_rng(bootstrap)


def correlate(method: str, x, y, permutations: int = 1000, bootstrap: int = 0, seed: int = 0,
              level: float = 0.95, blocks: Sequence | None = None, clusters: Sequence | None = None,
              resample_clusters: Sequence | None = None) -> Correlation:
    """The coefficient of (x, y) with its p-value and, when ``bootstrap`` > 0, its CI.

    ``permutations`` = 0 gives scipy's asymptotic p-value instead (none for weighted tau,
    and none with blocks or clusters, whose structure the asymptotic test ignores);
    ``blocks`` restricts the shuffles to rows that share a block (a target, a language);
    ``clusters`` names the unit of each row when a unit has several rows (its seeds):
    the permutation then moves whole units and the bootstrap resamples whole units;
    ``resample_clusters`` gives the bootstrap other clusters than the permutation's (a
    pooled analysis shuffles within (target, language) blocks but resamples whole
    intermediate tasks, whose rows share one trained model).
    """
    if method not in METHODS:
        raise ValueError(f"unknown correlation method {method!r}")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    reason = undefined_reason(x, y)
    if reason:
        return Correlation(method, n, None, None, reason=reason)
    r = coefficient(method, x, y)
    permutation_rng, bootstrap_rng = streams(seed)
    smallest = None
    if permutations > 0:
        test = permutation_test(method, x, y, permutations, permutation_rng, blocks, clusters)
        p, p_method, smallest = test.p, test.kind, test.smallest
    elif method in _ASYMPTOTIC and blocks is None and clusters is None:  # it assumes independent rows
        p, p_method = float(_ASYMPTOTIC[method](x, y).pvalue), "asymptotic"
    else:
        p, p_method = None, "none"
    ci = bootstrap_interval(method, x, y, bootstrap, bootstrap_rng, level, clusters if resample_clusters is None else resample_clusters)
    return Correlation(method, n, r, p, p_method, ci.low, ci.high, ci.method, ci.note, p_smallest=smallest)
