"""Correlation statistics against scipy and hand-computed corrections."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from xitt.stats.correlation import adjust, correlate
from xitt.stats.gains import gain_table, zero_shot_summary


@pytest.mark.parametrize("method,reference", [("spearman", stats.spearmanr), ("pearson", stats.pearsonr), ("kendall", stats.kendalltau)])
def test_coefficients_match_scipy(method, reference):
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=30), rng.normal(size=30)
    y = y + x
    result = correlate(method, x, y, permutations=0)
    assert result.r == pytest.approx(reference(x, y).statistic, abs=1e-12)
    assert result.p == pytest.approx(reference(x, y).pvalue, abs=1e-12)


def test_permutation_pvalue_is_small_for_strong_and_large_for_no_association():
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    strong = correlate("spearman", x, x + 0.1 * rng.normal(size=40), permutations=2000)
    assert strong.p == pytest.approx(1 / 2001)
    null = correlate("spearman", x, rng.normal(size=40), permutations=2000)
    assert null.p > 0.05
    again = correlate("spearman", x, x + 0.1 * rng.normal(size=40), permutations=2000, seed=0)
    assert again.p == strong.p


def test_undefined_correlations_are_none():
    assert correlate("spearman", [1, 2], [3, 4]).r is None
    assert correlate("spearman", [1, 1, 1, 1], [1, 2, 3, 4]).r is None


def test_holm_and_bh_by_hand():
    p = [0.01, 0.04, 0.03, None, 0.5]
    assert adjust(p, "holm") == pytest.approx([0.04, 0.09, 0.09, None, 0.5])
    assert adjust(p, "bh") == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, None, 0.5])


def test_gains_are_run_minus_baseline_and_summary_skips_source_language():
    rows = [{"intermediate": "nli@en", "target": "pos", "seed": s, "run": i, "baseline": i} for i, s in enumerate((1, 2))]
    runs = [{"en": 0.9, "qaa": 0.6, "qab": 0.5}, {"en": 0.9, "qaa": 0.7, "qab": 0.5}]
    baselines = [{"en": 0.9, "qaa": 0.5, "qab": 0.5}, {"en": 0.8, "qaa": 0.5, "qab": 0.5}]
    table = gain_table(rows, runs, baselines)
    assert {(r["seed"], r["language"]): round(r["gain"], 6) for r in table}[(2, "qaa")] == 0.2
    (summary,) = zero_shot_summary(table, {"pos": ["en"]})
    assert summary["gain"] == pytest.approx((0.05 + 0.1) / 2)
    assert summary["spread"] == pytest.approx(0.025)
