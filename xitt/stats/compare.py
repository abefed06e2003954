"""Is one correlation larger than another? Tests for independent and dependent correlations.

- English-only vs multilingual intermediate sets on shared targets: a paired bootstrap of
  the difference (both coefficients recomputed on the same resampled units).
- Two correlations from independent samples: Fisher's z, with the variance 1/(n-3) for
  Pearson, 1.06/(n-3) for Spearman (Fieller, Hartley and Pearson 1957) and 0.437/(n-4)
  for Kendall.
- Two measures against the same gains (dependent, overlapping Pearson correlations):
  Steiger's (1980) z, or the paired bootstrap for any coefficient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats

from xitt.stats.coefficients import rows_function
from xitt.stats.resampling import block_members, apply, bootstrap_indices, interval, interval_from, tie_tolerance


@dataclass(frozen=True)
class Test:
    """A z statistic and its two-sided p-value."""

    z: float
    p: float


@dataclass(frozen=True)
class PairedDifference:
    """r_left - r_right on shared units with its bootstrap CI and two-sided bootstrap p."""

    difference: float
    ci_low: float | None
    ci_high: float | None
    ci_method: str
    p: float | None
    n: int
    resamples: int
    note: str = ""
    test: str = "paired bootstrap"  # how p was obtained


def _z_variance(method: str, n: int) -> float:
    if method == "pearson":
        return 1 / (n - 3)
    if method == "spearman":
        return 1.06 / (n - 3)
    if method == "kendall":
        return 0.437 / (n - 4)
    raise ValueError(f"Fisher z has no variance for {method!r}")


def fisher_z(r1: float, n1: int, r2: float, n2: int, method: str = "pearson") -> Test:
    """Difference of two correlations from independent samples on Fisher's z scale."""
    z = (np.arctanh(r1) - np.arctanh(r2)) / np.sqrt(_z_variance(method, n1) + _z_variance(method, n2))
    return Test(float(z), float(2 * stats.norm.sf(abs(z))))


def steiger(r_jk: float, r_jh: float, r_kh: float, n: int) -> Test:
    """Steiger's (1980) z for r_jk vs r_jh, two Pearson correlations sharing variable j
    (j = the gains, k and h = two measures), with the pooled estimate of r (his eq. 15)."""
    mean = (r_jk + r_jh) / 2
    psi = r_kh * (1 - 2 * mean**2) - 0.5 * mean**2 * (1 - 2 * mean**2 - r_kh**2)
    covariance = psi / (1 - mean**2) ** 2
    z = (np.arctanh(r_jk) - np.arctanh(r_jh)) * np.sqrt(n - 3) / np.sqrt(2 - 2 * covariance)
    return Test(float(z), float(2 * stats.norm.sf(abs(z))))


def paired_bootstrap(method: str, x1, y1, x2, y2, resamples: int, rng: np.random.Generator,
                     level: float = 0.95, clusters: Sequence | None = None) -> PairedDifference:
    """Bootstrap the difference of two correlations measured on the same units.

    Row i of (x1, y1) and of (x2, y2) is the same unit (a target, or an intermediate task
    in its English and multilingual form); a resample takes the same units for both,
    or whole clusters (targets) with ``clusters``. The p-value is two-sided,
    2 min(P*(d <= 0), P*(d >= 0)), with the +1 that keeps it above 0.
    """
    x1, y1, x2, y2 = (np.asarray(v, dtype=float) for v in (x1, y1, x2, y2))
    rows = rows_function(method)

    def difference(index: np.ndarray) -> np.ndarray:
        return rows(x1[index], y1[index]) - rows(x2[index], y2[index])

    n = len(x1)
    observed = float(difference(np.arange(n)[None, :])[0])
    if resamples <= 0:
        return PairedDifference(observed, None, None, "none", None, n, 0)
    boot = apply(difference, bootstrap_indices(n, resamples, rng, clusters))
    ci = interval_from(difference, n, boot, level, clusters)
    valid = boot[np.isfinite(boot)]
    if len(valid) == 0:
        return PairedDifference(observed, None, None, "none", None, n, 0, ci.note)
    tolerance = tie_tolerance(n)  # a difference within rounding noise of 0 is 0
    tail = min(np.count_nonzero(valid <= tolerance), np.count_nonzero(valid >= -tolerance))
    p = min(1.0, 2 * (tail + 1) / (len(valid) + 1))
    return PairedDifference(observed, ci.low, ci.high, ci.method, p, n, len(valid), ci.note)


def paired_mean_difference(differences, resamples: int, rng: np.random.Generator, level: float = 0.95,
                           clusters: Sequence | None = None) -> PairedDifference:
    """The mean of paired differences (a task's gain trained multilingually minus in
    English, on one target and language) with a bootstrap CI over whole clusters (tasks)
    and a two-sided sign-flip permutation p: under the null the two forms of a task are
    exchangeable, so each cluster's differences may change sign together. Exact (all 2^k
    flips) when they fit in ``resamples``, else Monte Carlo with (hits + 1) / (resamples + 1).
    Means within ``tie_tolerance`` of the observed |mean| count as reaching it."""
    d = np.asarray(differences, dtype=float)
    n = len(d)
    observed = float(d.mean())
    if n == 0 or resamples <= 0:
        return PairedDifference(observed, None, None, "none", None, n, 0)
    members = block_members(clusters if clusters is not None else np.arange(n))
    codes = np.empty(n, dtype=np.intp)
    for c, rows in enumerate(members):
        codes[rows] = c
    k = len(members)
    if 2**k <= resamples:
        signs = 1 - 2 * ((np.arange(2**k)[:, None] >> np.arange(k)[None, :]) & 1)
        kind = "exact"
    else:
        signs = rng.choice(np.array([-1, 1]), size=(resamples, k))
        kind = "monte carlo"
    null = np.abs((signs[:, codes] * d).mean(axis=1))
    scale = max(1.0, float(np.abs(d).max()))
    hits = np.count_nonzero(null >= abs(observed) - tie_tolerance(n, scale))
    p = hits / len(null) if kind == "exact" else (hits + 1) / (resamples + 1)
    ci = interval(lambda index: d[index].mean(axis=-1), n, resamples, rng, level, clusters)
    return PairedDifference(observed, ci.low, ci.high, ci.method, float(min(1.0, p)), n, len(null), ci.note, f"sign-flip {kind}")
