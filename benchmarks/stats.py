"""Speed of the resampling statistics on n = 90 pairs: 10,000 permutations (plain and
blocked within 6 targets), a 2,000-resample BCa bootstrap and a 2,000-resample paired
bootstrap of a difference, side by side with scipy.stats doing the same work.

Run: .venv/bin/python benchmarks/stats.py
Prints a table and writes benchmarks/results/stats.json
(key ``permutation_10k_n90_s``: our Spearman permutation test, best of the repeats;
the goal is under 1 s).
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Callable

import numpy as np
import scipy
from scipy import stats

from xitt.stats.coefficients import rows_function
from xitt.stats.compare import paired_bootstrap
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


def _cell(value: float, width: int, suffix: str = "", digits: int = 4) -> str:
    """A right-aligned figure, or a dash where scipy has no counterpart."""
    return f"{'-':>{width}}{' ' * len(suffix)}" if np.isnan(value) else f"{value:{width}.{digits}f}{suffix}"


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
    weighted = best_of(lambda: permutation_test("weighted_tau", x, y, PERMUTATIONS, np.random.default_rng(1)), 1)
    rows.append((f"permutation {PERMUTATIONS} weighted_tau", weighted, float("nan"), float("nan")))
    figures["permutation_10k_n90_weighted_tau_s"] = weighted  # scipy has no batched weighted tau: a loop
    blocks = np.repeat(np.arange(6), N // 6)  # 6 targets of 15 intermediates each
    blocked = best_of(lambda: permutation_test("spearman", x, y, PERMUTATIONS, np.random.default_rng(1), blocks))
    rows.append((f"blocked permutation {PERMUTATIONS} spearman", blocked, float("nan"), float("nan")))
    figures["blocked_permutation_10k_n90_spearman_s"] = blocked
    weak = x + 2 * rng.normal(size=N)
    paired = best_of(lambda: paired_bootstrap("spearman", x, y, weak, y, BOOTSTRAP, np.random.default_rng(1)))
    rows.append((f"paired bootstrap {BOOTSTRAP} spearman", paired, float("nan"), float("nan")))
    figures["paired_bootstrap_2k_n90_spearman_s"] = paired
    print(f"n = {N} pairs; xitt: best of {REPEATS}; scipy: one run")
    print(f"{'work':34} {'xitt s':>8} {'scipy vec s':>12} {'ratio':>7} {'scipy plain s':>14} {'ratio':>7}")
    for name, ours, vectorised, plain in rows:
        print(f"{name:34} {ours:8.4f} {_cell(vectorised, 12)} {_cell(vectorised / ours, 6, 'x', 1)} {_cell(plain, 14)} {_cell(plain / ours, 6, 'x', 1)}")
    result = {"n": N, "permutations": PERMUTATIONS, "bootstrap": BOOTSTRAP, "repeats": REPEATS,
              "machine": platform.platform(), "numpy": np.__version__, "scipy": scipy.__version__, "load_average": os.getloadavg()[0],
              **{k: round(v, 5) for k, v in figures.items()}}
    out = Path(__file__).parent / "results" / "stats.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
