"""Speed of the resampling statistics: 10,000 permutations and a 2,000-resample BCa
bootstrap on n = 90 pairs, side by side with scipy.stats doing the same work.

Run: .venv/bin/python benchmarks/stats_permutation.py
Prints a table and writes benchmarks/results/stats_permutation.json
(key ``permutation_10k_n90_s``: our Spearman permutation test, best of the repeats).
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Callable

import numpy as np
from scipy import stats

from xitt.stats.coefficients import rows_function
from xitt.stats.resampling import bootstrap_interval, permutation_test

N, PERMUTATIONS, BOOTSTRAP, REPEATS = 90, 10_000, 2_000, 3


def best_of(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    """Fastest wall time of ``repeats`` calls (the least disturbed by other load)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=N)
    y = 0.3 * x + rng.normal(size=N)
    figures: dict[str, float] = {}
    rows = []
    for method in ("spearman", "pearson", "kendall"):
        batched = rows_function(method)
        ours = best_of(lambda: permutation_test(method, x, y, PERMUTATIONS, np.random.default_rng(1)))
        scipy_vectorised = best_of(lambda: stats.permutation_test(
            (y,), lambda v, axis=-1: np.abs(batched(np.broadcast_to(x, v.shape), v)), permutation_type="pairings",
            alternative="greater", n_resamples=PERMUTATIONS, vectorized=True, rng=np.random.default_rng(1)), 1)
        scipy_plain = best_of(lambda: stats.permutation_test(
            (y,), lambda v: abs({"spearman": stats.spearmanr, "pearson": stats.pearsonr, "kendall": stats.kendalltau}[method](x, v).statistic),
            permutation_type="pairings", alternative="greater", n_resamples=PERMUTATIONS, vectorized=False, rng=np.random.default_rng(1)), 1)
        rows.append((f"permutation {PERMUTATIONS} {method}", ours, scipy_vectorised, scipy_plain))
        figures[f"permutation_10k_n90_{method}_s"] = ours
        figures[f"scipy_permutation_10k_n90_{method}_vectorised_s"] = scipy_vectorised
        figures[f"scipy_permutation_10k_n90_{method}_plain_s"] = scipy_plain
    figures["permutation_10k_n90_s"] = figures["permutation_10k_n90_spearman_s"]
    for method in ("spearman", "pearson"):
        batched = rows_function(method)
        ours = best_of(lambda: bootstrap_interval(method, x, y, BOOTSTRAP, np.random.default_rng(1)))
        scipy_vectorised = best_of(lambda: stats.bootstrap(
            (x, y), lambda a, b, axis=-1: batched(a, b), paired=True, vectorized=True, n_resamples=BOOTSTRAP,
            method="BCa", rng=np.random.default_rng(1)), 1)
        rows.append((f"bootstrap BCa {BOOTSTRAP} {method}", ours, scipy_vectorised, float("nan")))
        figures[f"bootstrap_2k_bca_n90_{method}_s"] = ours
        figures[f"scipy_bootstrap_2k_bca_n90_{method}_vectorised_s"] = scipy_vectorised
    print(f"n = {N} pairs; xitt: best of {REPEATS}; scipy: one run")
    print(f"{'work':34} {'xitt s':>8} {'scipy vec s':>12} {'ratio':>7} {'scipy plain s':>14} {'ratio':>7}")
    for name, ours, vectorised, plain in rows:
        print(f"{name:34} {ours:8.4f} {vectorised:12.4f} {vectorised / ours:6.1f}x {plain:14.4f} {plain / ours:6.1f}x")
    result = {"n": N, "permutations": PERMUTATIONS, "bootstrap": BOOTSTRAP, "repeats": REPEATS,
              "machine": platform.platform(), "numpy": np.__version__, "scipy": stats.__name__ and __import__("scipy").__version__,
              **{k: round(v, 5) for k, v in figures.items()}}
    out = Path(__file__).parent / "results" / "stats_permutation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
