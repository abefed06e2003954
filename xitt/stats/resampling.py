"""Permutation p-values and bootstrap confidence intervals, vectorised over resamples.

Permutation: exact enumeration when every ordering can be visited within the
resample budget (small n), Monte Carlo otherwise, blocked (shuffling only within
a target or a language) when rows are not exchangeable across blocks, and unit-level
(whole units move) when one unit contributes several rows (one per seed).
Bootstrap: BCa (Efron 1987), falling back to the percentile interval when BCa
degenerates, and the result says so. All randomness comes from a numpy Generator, so
a seed fixes every number.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy import special, stats

from xitt.stats.coefficients import rows_function

IndexStatistic = Callable[[np.ndarray], np.ndarray]
"""Maps an index matrix (resamples, m) into the data to one statistic per row."""

_CHUNK_ROWS = 20_000  # permutations evaluated per batch, to bound memory


def tie_tolerance(n: int, scale: float = 1.0) -> float:
    """How far apart two values of a statistic computed from ``n`` rows may lie and still be
    the same number: floating-point noise of a sum of ``n`` products, relative to the
    statistic's *scale* (1 for a correlation coefficient, which lies in [-1, 1]), never to
    the observed value. A tolerance relative to the observed value vanishes at r = 0 and
    turns permutations whose r is exactly 0 into 'less extreme' than rounding noise.
    Far below the smallest gap between distinct rank correlations for any n a study has
    (Spearman: 12 / (n (n^2 - 1)), 1.2e-8 at n = 1000)."""
    return 8 * max(n, 1) * np.finfo(float).eps * scale


@dataclass(frozen=True)
class Permutation:
    """A two-sided permutation p-value and how it was obtained."""

    p: float
    kind: str  # ["blocked "]["unit-level "]("exact" | "monte carlo")
    resamples: int
    smallest: float = 0.0  # the smallest p this test could have given these data: its resolution


@dataclass(frozen=True)
class Interval:
    """A bootstrap confidence interval; ``note`` says why BCa fell back, when it did."""

    low: float | None
    high: float | None
    method: str  # "bca" | "percentile" | "none"
    resamples: int
    note: str = ""


# --- permutation ------------------------------------------------------------------------


def _standardised(v: np.ndarray) -> np.ndarray:
    centred = v - v.mean()
    return centred / np.linalg.norm(centred)


def null_distribution(method: str, x: np.ndarray, y: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """The coefficient of ``x`` with ``y[order]`` for every row of ``orders``.

    Ranks (Spearman) and sign matrices (Kendall) are computed once and permuted, which
    turns each batch into one matrix product or one gather.
    """
    if method in ("pearson", "spearman"):
        a = _standardised(stats.rankdata(x) if method == "spearman" else x)
        b = _standardised(stats.rankdata(y) if method == "spearman" else y)
        return np.concatenate([b[orders[s:s + _CHUNK_ROWS]] @ a for s in range(0, len(orders), _CHUNK_ROWS)])
    if method == "kendall":
        return _kendall_null(x, y, orders)
    statistic = rows_function(method)
    return statistic(np.broadcast_to(x, orders.shape), y[orders])


def _kendall_null(x: np.ndarray, y: np.ndarray, orders: np.ndarray) -> np.ndarray:
    n = len(x)
    sx = np.sign(x[:, None] - x[None, :])
    sy = np.sign(y[:, None] - y[None, :])
    total = n * (n - 1) / 2
    tied_x = (n * n - np.count_nonzero(sx) - n) / 2
    tied_y = (n * n - np.count_nonzero(sy) - n) / 2
    denominator = np.sqrt((total - tied_x) * (total - tied_y))
    chunk = max(1, 4_000_000 // (n * n))
    out = np.empty(len(orders))
    for s in range(0, len(orders), chunk):
        o = orders[s:s + chunk]
        out[s:s + chunk] = np.einsum("ij,bij->b", sx, sy[o[:, :, None], o[:, None, :]]) / 2
    return out / denominator


def block_members(blocks: Sequence) -> list[np.ndarray]:
    codes = np.unique(np.asarray(blocks), return_inverse=True)[1].ravel()
    return [np.flatnonzero(codes == c) for c in range(codes.max() + 1)]


def random_orders(n: int, count: int, rng: np.random.Generator, blocks: Sequence | None = None) -> np.ndarray:
    """``count`` random permutations of range(n); with ``blocks``, each only shuffles within its block."""
    if blocks is None:
        return rng.permuted(np.tile(np.arange(n), (count, 1)), axis=1)
    orders = np.tile(np.arange(n), (count, 1))
    for members in block_members(blocks):
        orders[:, members] = rng.permuted(np.tile(members, (count, 1)), axis=1)
    return orders


def all_orders(n: int, blocks: Sequence | None = None) -> np.ndarray:
    """Every permutation of range(n) (within blocks when given), identity included."""
    if blocks is None:
        return np.array(list(itertools.permutations(range(n))), dtype=np.intp).reshape(-1, n)
    groups = block_members(blocks)
    per_block = [list(itertools.permutations(m)) for m in groups]
    orders = []
    for combination in itertools.product(*per_block):
        order = np.arange(n)
        for members, arrangement in zip(groups, combination):
            order[members] = arrangement
        orders.append(order)
    return np.array(orders, dtype=np.intp)


def orderings(n: int, blocks: Sequence | None = None) -> int:
    """How many distinct orderings a (blocked) permutation test can visit."""
    if blocks is None:
        return math.factorial(n)
    return math.prod(math.factorial(len(m)) for m in block_members(blocks))


def unit_members(clusters: Sequence, blocks: Sequence | None = None) -> tuple[np.ndarray, list | None]:
    """Rows of each unit as a (units, rows per unit) matrix, and each unit's block.

    A unit (an (intermediate, target) pair whose seeds are separate rows) moves as a
    whole in a permutation, so every unit needs the same number of rows and must lie
    inside one block.
    """
    members = block_members(clusters)
    sizes = {len(m) for m in members}
    if len(sizes) != 1:
        raise ValueError(f"every unit needs the same number of rows to be shuffled as a whole, got sizes {sorted(sizes)}")
    if blocks is None:
        return np.stack(members), None
    blocks = np.asarray(blocks)
    for m in members:
        if len(set(blocks[m].tolist())) != 1:
            raise ValueError("a unit spans two blocks; units must be nested in blocks")
    return np.stack(members), [blocks[m[0]] for m in members]


def _lift(unit_orders: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Row orders from orders of whole units: row j of unit c takes row j of unit order[c]."""
    orders = np.empty((len(unit_orders), members.size), dtype=np.intp)
    orders[:, members.ravel()] = members[unit_orders].reshape(len(unit_orders), -1)
    return orders


def permutation_test(
    method: str, x, y, resamples: int, rng: np.random.Generator, blocks: Sequence | None = None,
    clusters: Sequence | None = None,
) -> Permutation:
    """Two-sided p-value of the coefficient: how often a shuffle of ``y`` reaches |r|.

    Exact (all orderings, identity included) when their number is at most ``resamples``;
    otherwise Monte Carlo with p = (hits + 1) / (resamples + 1), never 0 (Phipson and
    Smyth 2010). Both conventions are those of scipy.stats.permutation_test.
    Values within ``tie_tolerance`` of the observed |r| count as reaching it, so r = 0
    gives p = 1. ``smallest`` is the smallest p the test could give on these data (all
    orderings tied with the most extreme one, or 1 / (resamples + 1)): when it is above
    the study's alpha, no association could have been called significant.
    ``blocks`` keeps every shuffle inside a block; ``clusters`` shuffles whole units
    (the seeds of one (intermediate, target) move together), since the units, not the
    rows, are what is exchangeable under the null.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    prefix = ("blocked " if blocks is not None else "") + ("unit-level " if clusters is not None else "")
    if clusters is None:
        items, item_blocks, lift = len(x), blocks, (lambda o: o)
    else:
        members, item_blocks = unit_members(clusters, blocks)
        items, lift = len(members), (lambda o: _lift(o, members))
    observed = abs(null_distribution(method, x, y, np.arange(len(x))[None, :])[0])
    tolerance = tie_tolerance(len(x))
    if orderings(items, item_blocks) <= resamples:
        null = np.abs(null_distribution(method, x, y, lift(all_orders(items, item_blocks))))
        smallest = float(np.mean(null >= null.max() - tolerance))  # the share of orderings tied with the most extreme
        return Permutation(float(np.mean(null >= observed - tolerance)), prefix + "exact", len(null), smallest)
    null = np.abs(null_distribution(method, x, y, lift(random_orders(items, resamples, rng, item_blocks))))
    hits = int(np.count_nonzero(null >= observed - tolerance))
    return Permutation((hits + 1) / (resamples + 1), prefix + "monte carlo", resamples, 1 / (resamples + 1))


# --- bootstrap --------------------------------------------------------------------------


def _clusters(clusters: Sequence) -> list[np.ndarray]:
    return block_members(clusters)


def bootstrap_indices(n: int, resamples: int, rng: np.random.Generator, clusters: Sequence | None = None) -> list[np.ndarray] | np.ndarray:
    """Index matrices of bootstrap resamples: of rows, or of whole clusters of rows.

    Without clusters this draws ``rng.integers(0, n, (resamples, n))``, the same draw as
    scipy.stats.bootstrap, so a shared seed gives the same resamples. With clusters of
    unequal size the resamples differ in length and come back as a list of arrays.
    """
    if clusters is None:
        return rng.integers(0, n, (resamples, n))
    members = _clusters(clusters)
    picked = rng.integers(0, len(members), (resamples, len(members)))
    if len({len(m) for m in members}) == 1:
        return np.stack(members)[picked].reshape(resamples, -1)
    return [np.concatenate([members[c] for c in row]) for row in picked]


def jackknife_indices(n: int, clusters: Sequence | None = None) -> list[np.ndarray] | np.ndarray:
    """Leave-one-out index sets: one row (or one cluster) left out at a time."""
    if clusters is None:
        return np.array([np.delete(np.arange(n), i) for i in range(n)], dtype=np.intp).reshape(n, n - 1)
    members = _clusters(clusters)
    return [np.concatenate([m for j, m in enumerate(members) if j != i]) for i in range(len(members))]


def apply(statistic: IndexStatistic, indices: list[np.ndarray] | np.ndarray) -> np.ndarray:
    """The statistic of every index set, batched when the sets have one length."""
    if isinstance(indices, np.ndarray):
        return statistic(indices)
    return np.array([statistic(i[None, :])[0] for i in indices], dtype=float)


def bca_bounds(theta_hat: float, boot: np.ndarray, jack: np.ndarray, level: float) -> tuple[float, float, str]:
    """The BCa quantile levels (Efron and Tibshirani 1993, 14.3), or why they cannot be had."""
    tolerance = tie_tolerance(len(jack), max(1.0, abs(theta_hat)))  # values within noise of the estimate tie with it
    below = (np.count_nonzero(boot < theta_hat - tolerance) + np.count_nonzero(boot <= theta_hat + tolerance)) / (2 * len(boot))
    if below <= 0 or below >= 1:
        return np.nan, np.nan, "BCa degenerate: every bootstrap value lies on one side of the estimate"
    z0 = special.ndtri(below)
    deviation = jack.mean() - jack
    spread = np.sum(deviation**2)
    if not np.isfinite(spread) or spread == 0:
        return np.nan, np.nan, "BCa degenerate: the jackknife values do not vary"
    acceleration = np.sum(deviation**3) / (6 * spread**1.5)
    z = special.ndtri((1 - level) / 2)
    low = special.ndtr(z0 + (z0 + z) / (1 - acceleration * (z0 + z)))
    high = special.ndtr(z0 + (z0 - z) / (1 - acceleration * (z0 - z)))
    if not (np.isfinite(low) and np.isfinite(high)):
        return np.nan, np.nan, "BCa degenerate: the corrected levels are undefined"
    return float(low), float(high), ""


def interval(statistic: IndexStatistic, n: int, resamples: int, rng: np.random.Generator,
             level: float = 0.95, clusters: Sequence | None = None) -> Interval:
    """Bootstrap CI of ``statistic`` over ``n`` rows (or their clusters): BCa, else percentile."""
    if resamples <= 0:
        return Interval(None, None, "none", 0)
    return interval_from(statistic, n, apply(statistic, bootstrap_indices(n, resamples, rng, clusters)), level, clusters)


def interval_from(statistic: IndexStatistic, n: int, boot: np.ndarray, level: float = 0.95,
                  clusters: Sequence | None = None) -> Interval:
    """The CI from a bootstrap distribution already drawn; undefined resamples are dropped and counted."""
    if clusters is not None and len(_clusters(clusters)) < 2:
        return Interval(None, None, "none", 0, "a bootstrap over clusters needs at least 2 clusters; there is 1")
    theta_hat = float(statistic(np.arange(n)[None, :])[0])
    valid = boot[np.isfinite(boot)]
    dropped = len(boot) - len(valid)
    note = f"{dropped} resamples had an undefined statistic and were dropped; " if dropped else ""
    if len(valid) < 2 or not np.isfinite(theta_hat):
        return Interval(None, None, "none", len(valid), note + "too few defined resamples")
    jack = apply(statistic, jackknife_indices(n, clusters))
    if np.all(np.isfinite(jack)):
        low, high, why = bca_bounds(theta_hat, valid, jack, level)
    else:
        why = "BCa degenerate: a jackknife value is undefined"
    if why:
        bounds = np.quantile(valid, [(1 - level) / 2, (1 + level) / 2])
        return Interval(float(bounds[0]), float(bounds[1]), "percentile", len(valid), note + why)
    bounds = np.quantile(valid, [low, high])
    return Interval(float(bounds[0]), float(bounds[1]), "bca", len(valid), note.rstrip("; "))


def correlation_statistic(method: str, x, y) -> IndexStatistic:
    """The coefficient of the rows an index matrix selects, as an IndexStatistic."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    rows = rows_function(method)
    return lambda index: rows(x[index], y[index])


def bootstrap_interval(method: str, x, y, resamples: int, rng: np.random.Generator,
                       level: float = 0.95, clusters: Sequence | None = None) -> Interval:
    """Bootstrap CI of a correlation coefficient over (x, y) pairs."""
    return interval(correlation_statistic(method, x, y), len(x), resamples, rng, level, clusters)
