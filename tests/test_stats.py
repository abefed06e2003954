"""Statistics against their references: scipy.stats, statsmodels, pingouin, scikit-learn,
and simulation where there is no reference (coverage, test size)."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats
from sklearn.metrics import ndcg_score
from statsmodels.stats.multitest import multipletests

import xitt.ops.statistics  # noqa: F401  (registers the stats ops)
from xitt.engine.registry import StepContext, get_op
from xitt.engine.store import RESULT_FILE, Artifact
from xitt.errors import UserError
from xitt.lang import load_program
from xitt.stats import SETTINGS, study
from xitt.stats.adjust import adjust
from xitt.stats.coefficients import METHODS, coefficient, rows_function
from xitt.stats.compare import fisher_z, paired_bootstrap, steiger
from xitt.stats.correlation import correlate
from xitt.stats.gains import gain_table, zero_shot_summary
from xitt.stats.partial import partial_correlation, repeated_measures_correlation
from xitt.stats.ranking import best_source_rank, ndcg_at_k, regret_at_k
from xitt.stats.resampling import (
    all_orders,
    apply,
    bootstrap_indices,
    bootstrap_interval,
    correlation_statistic,
    orderings,
    permutation_test,
    random_orders,
    unit_members,
)

SCIPY = {
    "spearman": lambda x, y: stats.spearmanr(x, y).statistic,
    "pearson": lambda x, y: stats.pearsonr(x, y).statistic,
    "kendall": lambda x, y: stats.kendalltau(x, y).statistic,
    "weighted_tau": lambda x, y: stats.weightedtau(x, y).statistic,
}


def _related(n: int, seed: int, rho: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    return z[:, 0], z[:, 1]


# --- coefficients -----------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("ties", [False, True])
def test_batched_coefficients_match_scipy_row_by_row(method, ties):
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(7, 25)), rng.normal(size=(7, 25))
    y = y + x
    if ties:  # average ranks and tau-b's tie correction must agree with scipy too
        x, y = np.round(x * 2), np.round(y * 2)
    batched = rows_function(method)(x, y)
    for row in range(len(x)):
        assert batched[row] == pytest.approx(SCIPY[method](x[row], y[row]), abs=1e-10)
        assert coefficient(method, x[row], y[row]) == pytest.approx(SCIPY[method](x[row], y[row]), abs=1e-12)


@pytest.mark.parametrize("method,reference", [("spearman", stats.spearmanr), ("pearson", stats.pearsonr), ("kendall", stats.kendalltau)])
def test_asymptotic_pvalues_match_scipy(method, reference):
    x, y = _related(30, 3)
    result = correlate(method, x, y, permutations=0)
    assert result.r == pytest.approx(reference(x, y).statistic, abs=1e-12)
    assert result.p == pytest.approx(reference(x, y).pvalue, abs=1e-12)
    assert result.p_method == "asymptotic"


def test_undefined_correlations_are_none():
    assert correlate("spearman", [1, 2], [3, 4]).r is None
    assert correlate("spearman", [1, 1, 1, 1], [1, 2, 3, 4]).r is None
    with pytest.raises(ValueError, match="unknown correlation method"):
        correlate("cosine", [1, 2, 3], [1, 2, 3])


# --- permutation ------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_exact_permutation_matches_scipy_enumeration(method):
    x, y = _related(6, 5, rho=0.6)
    ours = permutation_test(method, x, y, resamples=10_000, rng=np.random.default_rng(0))
    reference = stats.permutation_test(
        (y,), lambda v: abs(SCIPY[method](x, v)), permutation_type="pairings", alternative="greater", n_resamples=np.inf, vectorized=False
    )
    assert ours.kind == "exact" and ours.resamples == math.factorial(6)
    assert ours.p == pytest.approx(reference.pvalue, abs=1e-12)


@pytest.mark.parametrize("method", ["spearman", "pearson", "kendall"])
def test_monte_carlo_permutation_agrees_with_scipy_within_resampling_error(method):
    x, y = _related(40, 8, rho=0.25)
    ours = permutation_test(method, x, y, resamples=10_000, rng=np.random.default_rng(1))
    reference = stats.permutation_test(
        (y,), lambda v, axis=-1: np.abs(rows_function(method)(np.broadcast_to(x, v.shape), v)),
        permutation_type="pairings", alternative="greater", n_resamples=10_000, vectorized=True, rng=np.random.default_rng(2),
    )
    assert ours.kind == "monte carlo"
    assert abs(ours.p - reference.pvalue) < 4 * math.sqrt(reference.pvalue * (1 - reference.pvalue) / 10_000) + 1e-3


def test_strong_association_gives_the_smallest_monte_carlo_p():
    x, y = _related(40, 0, rho=0.99)
    result = correlate("spearman", x, y, permutations=2000)
    assert result.p == pytest.approx(1 / 2001) and result.p_method == "monte carlo"


def test_blocked_shuffles_stay_within_blocks():
    blocks = ["a", "a", "b", "b", "b", "c"]
    orders = random_orders(6, 500, np.random.default_rng(0), blocks)
    code = np.array([ord(b) for b in blocks])
    assert np.all(code[orders] == code)
    assert len({tuple(o) for o in orders}) == orderings(6, blocks) == 2 * 6 * 1
    assert len({tuple(o) for o in all_orders(6, blocks)}) == 12


def test_blocked_permutation_ignores_association_that_lives_only_between_blocks():
    # within each block x and y are independent; the blocks differ in both means
    rng = np.random.default_rng(4)
    blocks = np.repeat(np.arange(6), 8)
    x = blocks * 3.0 + rng.normal(size=48)
    y = blocks * 3.0 + rng.normal(size=48)
    plain = permutation_test("spearman", x, y, 5000, np.random.default_rng(0))
    blocked = permutation_test("spearman", x, y, 5000, np.random.default_rng(0), blocks=blocks)
    assert plain.p < 0.001
    assert blocked.p > 0.05 and blocked.kind == "blocked monte carlo"


# --- bootstrap --------------------------------------------------------------------------


def _scipy_bootstrap(method: str, x, y, kind: str, seed: int):
    return stats.bootstrap(
        (x, y), lambda a, b, axis=-1: rows_function(method)(a, b), paired=True, vectorized=True,
        n_resamples=1500, method=kind, rng=np.random.default_rng(seed),
    )


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_bca_interval_matches_scipy_with_the_same_seed(method):
    x, y = _related(35, 9)
    reference = _scipy_bootstrap(method, x, y, "BCa", 5).confidence_interval
    ours = bootstrap_interval(method, x, y, 1500, np.random.default_rng(5))
    assert ours.method == "bca" and ours.note == ""
    assert ours.low == pytest.approx(reference.low, abs=1e-10)
    assert ours.high == pytest.approx(reference.high, abs=1e-10)


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_bootstrap_distribution_matches_scipy_with_the_same_seed(method):
    x, y = _related(35, 9)
    reference = _scipy_bootstrap(method, x, y, "percentile", 6).bootstrap_distribution
    ours = apply(correlation_statistic(method, x, y), bootstrap_indices(35, 1500, np.random.default_rng(6)))
    assert np.allclose(ours, reference, atol=1e-10, rtol=0)


def test_bca_falls_back_to_percentile_and_says_why():
    x = np.arange(12.0)
    result = bootstrap_interval("pearson", x, 2 * x + 1, 500, np.random.default_rng(0))
    assert result.method == "percentile"
    assert "BCa degenerate" in result.note
    assert result.low == pytest.approx(1.0) and result.high == pytest.approx(1.0)


@pytest.mark.parametrize("method,n,seed", [("spearman", 50, 2), ("pearson", 80, 2)])
def test_bootstrap_ci_covers_the_true_correlation_95_percent_of_the_time(method, n, seed):
    rho = 0.5
    truth = rho if method == "pearson" else 6 / math.pi * math.asin(rho / 2)  # Spearman of a bivariate normal
    rng = np.random.default_rng(seed)
    covered, kinds = 0, set()
    for _ in range(400):
        z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
        ci = bootstrap_interval(method, z[:, 0], z[:, 1], 1000, rng)
        covered += ci.low <= truth <= ci.high
        kinds.add(ci.method)
    assert kinds == {"bca"}  # the coverage measured is BCa's, not the fallback's
    assert 0.93 <= covered / 400 <= 0.97


def test_cluster_bootstrap_resamples_whole_clusters():
    clusters = ["t1", "t1", "t2", "t2", "t3", "t3"]
    index = bootstrap_indices(6, 200, np.random.default_rng(0), clusters)
    assert index.shape == (200, 6)
    pairs = index.reshape(200, 3, 2)
    assert np.all(pairs[:, :, 1] == pairs[:, :, 0] + 1) and np.all(pairs[:, :, 0] % 2 == 0)


def test_results_are_deterministic_given_the_seed():
    x, y = _related(45, 12, rho=0.2)
    first = correlate("spearman", x, y, permutations=3000, bootstrap=800, seed=7)
    assert correlate("spearman", x, y, permutations=3000, bootstrap=800, seed=7) == first
    other = correlate("spearman", x, y, permutations=3000, bootstrap=800, seed=8)
    assert (other.p, other.ci_low) != (first.p, first.ci_low)
    # the two streams are independent: changing the bootstrap count leaves p alone
    assert correlate("spearman", x, y, permutations=3000, bootstrap=300, seed=7).p == first.p


# --- multiple comparisons ---------------------------------------------------------------


@pytest.mark.parametrize("ours,theirs", [("holm", "holm"), ("bh", "fdr_bh")])
def test_adjustments_match_statsmodels(ours, theirs):
    rng = np.random.default_rng(2)
    p = np.concatenate([rng.uniform(size=30), rng.uniform(0, 0.01, size=10), [0.02, 0.02]])
    reference = multipletests(p, method=theirs)[1]
    assert np.allclose(adjust(list(p), ours), reference, atol=1e-10, rtol=0)


def test_undefined_pvalues_stay_none_and_do_not_count():
    p = [0.01, 0.04, 0.03, None, 0.5]
    assert adjust(p, "holm") == pytest.approx([0.04, 0.09, 0.09, None, 0.5])
    assert adjust(p, "bh") == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, None, 0.5])
    assert adjust(p, "none") == p


# --- partial and repeated-measures correlation ------------------------------------------


@pytest.mark.parametrize("method", ["pearson", "spearman"])
@pytest.mark.parametrize("covariates", [["z"], ["z", "w"]])
def test_partial_correlation_matches_pingouin(method, covariates):
    rng = np.random.default_rng(6)
    frame = pd.DataFrame(rng.normal(size=(40, 4)), columns=list("xyzw"))
    frame["x"] += frame["z"]
    frame["y"] += frame["z"] - frame["w"]
    reference = pingouin.partial_corr(frame, "x", "y", covar=covariates, method=method)
    ours = partial_correlation(frame["x"], frame["y"], frame[covariates].to_numpy(), method)
    assert ours.r == pytest.approx(reference["r"].iloc[0], abs=1e-10)
    assert ours.p == pytest.approx(reference["p_val"].iloc[0], abs=1e-10)


def test_repeated_measures_correlation_matches_pingouin():
    rng = np.random.default_rng(7)
    language = np.repeat(["qaa", "qab", "qac", "qad"], 12)
    offset = np.repeat(rng.normal(scale=3, size=4), 12)
    x = offset + rng.normal(size=48)
    y = -offset + 0.5 * x + rng.normal(size=48)
    reference = pingouin.rm_corr(pd.DataFrame({"x": x, "y": y, "language": language}), "x", "y", "language")
    ours = repeated_measures_correlation(x, y, language)
    assert ours.r == pytest.approx(reference["r"].iloc[0], abs=1e-10)
    assert ours.dof == reference["dof"].iloc[0]
    assert ours.p == pytest.approx(reference["pval"].iloc[0], abs=1e-10)


# --- comparing correlations -------------------------------------------------------------


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_fisher_z_has_its_nominal_size_for_independent_samples(method):
    # the 1.06/(n-3) variance for Spearman is what keeps this near 5%
    rng = np.random.default_rng(13)
    rows = rows_function(method)
    n = 25
    a = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=(2000, n))
    b = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=(2000, n))
    r1, r2 = rows(a[..., 0], a[..., 1]), rows(b[..., 0], b[..., 1])
    rejected = np.mean([fisher_z(u, n, v, n, method).p < 0.05 for u, v in zip(r1, r2)])
    assert 0.035 <= rejected <= 0.065


def test_fisher_z_by_hand():
    test = fisher_z(0.5, 53, 0.2, 43, "pearson")
    z = (math.atanh(0.5) - math.atanh(0.2)) / math.sqrt(1 / 50 + 1 / 40)
    assert test.z == pytest.approx(z, abs=1e-12)
    assert test.p == pytest.approx(2 * stats.norm.sf(z), abs=1e-12)


def test_steiger_has_its_nominal_size_and_detects_a_difference():
    rng = np.random.default_rng(21)
    n = 60
    # y correlates 0.4 with both measures, which correlate 0.5 with each other: the null
    null = rng.multivariate_normal([0, 0, 0], [[1, 0.4, 0.4], [0.4, 1, 0.5], [0.4, 0.5, 1]], size=(2000, n))
    pearson = rows_function("pearson")

    def test(data):
        y, a, b = data[..., 0], data[..., 1], data[..., 2]
        return np.array([steiger(u, v, w, n).p for u, v, w in zip(pearson(y, a), pearson(y, b), pearson(a, b))])

    assert 0.035 <= np.mean(test(null) < 0.05) <= 0.065
    alternative = rng.multivariate_normal([0, 0, 0], [[1, 0.6, 0.1], [0.6, 1, 0.3], [0.1, 0.3, 1]], size=(300, n))
    assert np.mean(test(alternative) < 0.05) > 0.9


def test_paired_bootstrap_of_identical_sides_is_zero_with_p_one():
    x, y = _related(30, 1)
    result = paired_bootstrap("spearman", x, y, x, y, 500, np.random.default_rng(0))
    assert result.difference == 0 and result.p == 1.0


def test_paired_bootstrap_finds_a_real_difference_and_is_deterministic():
    x, y = _related(60, 2, rho=0.8)
    noise = np.random.default_rng(3).normal(size=60)
    weak = x + 2 * noise
    first = paired_bootstrap("spearman", x, y, weak, y, 2000, np.random.default_rng(4))
    assert first.difference == pytest.approx(SCIPY["spearman"](x, y) - SCIPY["spearman"](weak, y), abs=1e-12)
    assert first.ci_low > 0 and first.p < 0.01
    assert paired_bootstrap("spearman", x, y, weak, y, 2000, np.random.default_rng(4)) == first


# --- ranking ----------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3, 5, None])
def test_ndcg_matches_scikit_learn(k):
    rng = np.random.default_rng(5)
    for _ in range(20):
        predicted, relevance = rng.normal(size=8), rng.uniform(0, 1, size=8)
        assert ndcg_at_k(predicted, relevance, k) == pytest.approx(ndcg_score([relevance], [predicted], k=k), abs=1e-10)


def test_regret_and_best_source_rank_by_hand():
    predicted = [0.9, 0.1, 0.5, 0.3]  # ranks sources 0, 2, 3, 1
    performance = [70.0, 80.0, 75.0, 60.0]
    assert regret_at_k(predicted, performance, 1) == pytest.approx(100 * 10 / 80)
    assert regret_at_k(predicted, performance, 2) == pytest.approx(100 * 5 / 80)
    assert regret_at_k(predicted, performance, 4) == 0
    assert best_source_rank(predicted, performance) == 4
    with pytest.raises(ValueError, match="non-negative"):
        ndcg_at_k(predicted, [-1.0, 0.0, 1.0, 2.0])


# --- a whole correlate statement --------------------------------------------------------


def _toy_data(seed: int = 0) -> study.Data:
    rng = np.random.default_rng(seed)
    tasks = ["nli", "para", "qa", "choice", "senti"]
    units = [f"{t}@en" for t in tasks] + [f"{t}@*" for t in tasks]
    targets, languages = ["nli", "pos", "ner", "qa"], ["qaa", "qab", "qac"]
    similarities = {m: {u: {t: float(rng.normal()) for t in targets} for u in units} for m in ("text", "vocab")}
    similarities["size"] = {u: {t: 1000.0 * (1 + len(u)) + (5000.0 if u.endswith("*") else 0.0) for t in targets} for u in units}
    per_seed = {(u, t, lang, s): 0.2 * similarities["text"][u][t] + 0.1 * float(rng.normal())
                for u in units for t in targets for lang in languages for s in (1, 2, 3)}
    per_language = {(u, t, lang): float(np.mean([per_seed[(u, t, lang, s)] for s in (1, 2, 3)]))
                    for u in units for t in targets for lang in languages}
    gains = {(u, t): float(np.mean([per_language[(u, t, lang)] for lang in languages])) for u in units for t in targets}
    performance = {k: 0.6 + v for k, v in gains.items()}
    sets = {"all": units, "english": units[:5], "multilingual": units[5:]}
    return study.Data(gains, per_language, similarities, sets, performance, per_seed)


@pytest.mark.parametrize("per", ["target", "pooled", "language"])
def test_report_keeps_the_keys_the_terminal_report_reads(per):
    options = study.Options.of(["spearman", "kendall"], per, {"bootstrap": 300, "permutation": 500, "adjust": "bh", "blocked": "target"})
    result = study.report(_toy_data(), options, [["english", "multilingual"]])
    assert {"per", "adjust", "permutations", "rows", "comparisons"} <= set(result)
    for row in result["rows"]:
        assert {"similarity", "method", "scope", "group", "n", "r", "p", "p_adjusted", "ci_low", "ci_high", "ci_method"} <= set(row)
    assert {r["scope"] for r in result["rows"]} == {"all", "english", "multilingual"}
    assert all(c["n_shared"] >= 3 and c["test"] == "paired bootstrap" for c in result["comparisons"])
    for c in result["comparisons"]:
        assert {"similarity", "method", "group", "left", "right", "r_left", "r_right", "difference"} <= set(c)
    if per != "target":  # pooled and per-language rows span several targets (and languages), so the shuffles are blocked
        assert all(r["p_method"] == "blocked monte carlo" for r in result["rows"] if r["scope"] == "all")
    assert result["unit_of_analysis"] == "seed_mean" and "averaged over seeds" in result["unit"]
    if per == "pooled":  # every (intermediate, target, language) gain is a row
        assert {r["n"] for r in result["rows"] if r["scope"] == "all"} == {10 * 4 * 3}
    pooled_text = [r for r in result["rows"] if r["similarity"] == "text" and r["scope"] == "all" and r["method"] == "spearman"]
    assert all(r["r"] > 0 for r in pooled_text)  # gains were built from the text similarity
    assert {r["target"] for r in result["ranking"]} == {"nli", "pos", "ner", "qa", "mean"}
    assert result == study.report(_toy_data(), options, [["english", "multilingual"]])


def test_settings_default_to_their_declared_values():
    options = study.Options.of(["spearman"], "target", {"permutation": 10000})
    assert (options.permutations, options.bootstrap, options.adjust, options.seed, options.level, options.blocked) == (10000, 1000, "holm", 0, 0.95, "auto")
    assert (options.unit, options.partial, options.blocking) == ("seed_mean", "none", "none")
    assert study.Options.of(["spearman"], "pooled", {}).blocking == "target_language"
    assert study.Options.of(["spearman"], "language", {}).blocking == "target"
    assert study.Options.of(["spearman"], "pooled", {"blocked": "none"}).blocking == "none"


# --- gains ------------------------------------------------------------------------------


def test_gains_are_run_minus_baseline_and_summary_skips_source_language():
    from xitt.study import GainRow

    rows = [GainRow("nli@en", "pos", s, i, i) for i, s in enumerate((1, 2))]
    runs = [{"en": 0.9, "qaa": 0.6, "qab": 0.5}, {"en": 0.9, "qaa": 0.7, "qab": 0.5}]
    baselines = [{"en": 0.9, "qaa": 0.5, "qab": 0.5}, {"en": 0.8, "qaa": 0.5, "qab": 0.5}]
    table = gain_table(rows, runs, baselines)
    assert {(r["seed"], r["language"]): round(r["gain"], 6) for r in table}[(2, "qaa")] == 0.2
    (summary,) = zero_shot_summary(table, {"pos": ["en"]})
    assert summary["gain"] == pytest.approx((0.05 + 0.1) / 2)
    assert summary["spread"] == pytest.approx(0.025)


# --- unit of analysis, blocking and partial correlation in a report ----------------------


@pytest.mark.parametrize("per", ["target", "pooled", "language"])
def test_each_seed_as_a_row_shuffles_and_resamples_whole_units(per):
    data = _toy_data()
    options = study.Options.of(["spearman"], per, {"bootstrap": 200, "permutation": 400, "unit": "seed"})
    result = study.report(data, options, [["english", "multilingual"]])
    seed_mean = study.report(data, study.Options.of(["spearman"], per, {"bootstrap": 200, "permutation": 400}), [])
    assert result["unit_of_analysis"] == "seed" and "one row per seed" in result["unit"]
    prefix = "unit-level " if per == "target" else "blocked unit-level "  # exact when few units: 5! <= 400
    for row, averaged in zip(result["rows"], seed_mean["rows"]):
        assert (row["group"], row["scope"]) == (averaged["group"], averaged["scope"])
        assert row["n"] == 3 * averaged["n"] and row["units"] == averaged["n"]  # three seeds per unit
        assert row["p_method"] in (prefix + "exact", prefix + "monte carlo")
    assert all(c["n_shared"] >= 9 for c in result["comparisons"])
    assert all("steiger_z" not in m for m in result["measure_comparisons"])  # Steiger assumes independent rows


def test_seed_rows_of_a_target_are_its_units_per_seed_gains():
    data = _toy_data()
    (group, obs), *_ = study.groups("target", data.sets["all"], data, "text", "seed")
    first = obs[0]
    languages = ["qaa", "qab", "qac"]
    assert first.y == pytest.approx(np.mean([data.per_seed[(first.unit, group, lang, first.seed)] for lang in languages]), abs=1e-12)
    assert [o.seed for o in obs[:3]] == [1, 2, 3] and len({o.cluster for o in obs[:3]}) == 1


def test_partial_rows_match_pingouin_and_need_a_known_covariate():
    data = _toy_data()
    options = study.Options.of(["spearman", "pearson", "kendall"], "target", {"partial": "size", "bootstrap": 0, "permutation": 0})
    rows = study.partial_rows(data, options)
    assert {r["method"] for r in rows} == {"spearman", "pearson"} and {r["similarity"] for r in rows} == {"text", "vocab"}
    row = next(r for r in rows if (r["similarity"], r["method"], r["scope"], r["group"]) == ("text", "spearman", "all", "ner"))
    frame = pd.DataFrame({
        "x": [data.similarities["text"][u]["ner"] for u in data.sets["all"]],
        "y": [data.gains[(u, "ner")] for u in data.sets["all"]],
        "z": [data.similarities["size"][u]["ner"] for u in data.sets["all"]],
    })
    reference = pingouin.partial_corr(frame, "x", "y", covar="z", method="spearman")
    assert row["r"] == pytest.approx(reference["r"].iloc[0], abs=1e-10)
    assert row["p"] == pytest.approx(reference["p_val"].iloc[0], abs=1e-10)
    assert row["p_adjusted"] >= row["p"]
    with pytest.raises(ValueError, match="not a similarity"):
        study.partial_rows(data, study.Options.of(["spearman"], "target", {"partial": "lexicon"}))


# --- more references: enumeration by hand, scipy's bootstrap of a difference ------------


def _enumerated_p(method: str, x, y, orders) -> float:
    """p of |r| over every listed reordering of x, each coefficient from scipy."""
    observed = abs(SCIPY[method](x, y))
    null = np.array([abs(SCIPY[method](x[o], y)) for o in orders])
    return float(np.mean(null >= observed - 1e-12))


@pytest.mark.parametrize("method", METHODS)
def test_blocked_exact_permutation_matches_enumeration_with_scipy(method):
    x, y = _related(7, 14, rho=0.5)
    blocks = ["a", "a", "a", "b", "b", "b", "b"]
    orders = []
    for first in itertools.permutations([0, 1, 2]):
        for second in itertools.permutations([3, 4, 5, 6]):
            orders.append(np.array(first + second))
    ours = permutation_test(method, x, y, 10_000, np.random.default_rng(0), blocks)
    assert ours.kind == "blocked exact" and ours.resamples == 6 * 24
    assert ours.p == pytest.approx(_enumerated_p(method, x, y, orders), abs=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_unit_level_exact_permutation_matches_enumeration_with_scipy(method):
    # 5 units of 3 seeds: x is the unit's similarity, repeated; units (not rows) are exchangeable
    rng = np.random.default_rng(15)
    unit_x = rng.normal(size=5)
    x = np.repeat(unit_x, 3)
    y = np.repeat(unit_x * 0.5 + rng.normal(size=5), 3) + 0.3 * rng.normal(size=15)
    clusters = np.repeat(list("abcde"), 3)
    orders = [np.repeat(np.array(p), 3) * 3 + np.tile([0, 1, 2], 5) for p in itertools.permutations(range(5))]
    ours = permutation_test(method, x, y, 1000, np.random.default_rng(0), clusters=clusters)
    assert ours.kind == "unit-level exact" and ours.resamples == 120
    assert ours.p == pytest.approx(_enumerated_p(method, x, y, orders), abs=1e-12)


def test_unit_level_shuffles_move_whole_units_within_blocks():
    clusters = ["u1", "u1", "u2", "u2", "u3", "u3", "u4", "u4"]
    blocks = ["t1"] * 4 + ["t2"] * 4
    members, unit_blocks = unit_members(clusters, blocks)
    assert unit_blocks == ["t1", "t1", "t2", "t2"]
    with pytest.raises(ValueError, match="same number of rows"):
        unit_members(["u1", "u1", "u2"])
    with pytest.raises(ValueError, match="spans two blocks"):
        unit_members(["u1", "u1"], ["t1", "t2"])


def test_unit_level_permutation_holds_its_size_where_row_level_does_not():
    # under the null, seeds of one unit share a unit effect: shuffling rows treats 36 rows
    # as independent and rejects far too often; shuffling units keeps the 5% level
    rng = np.random.default_rng(16)
    units, seeds, trials = 12, 3, 300
    clusters = np.repeat(np.arange(units), seeds)
    rejected_rows = rejected_units = 0
    for _ in range(trials):
        x = np.repeat(rng.normal(size=units), seeds)
        y = np.repeat(rng.normal(size=units), seeds) + 0.2 * rng.normal(size=units * seeds)
        rejected_rows += permutation_test("pearson", x, y, 400, rng).p < 0.05
        rejected_units += permutation_test("pearson", x, y, 400, rng, clusters=clusters).p < 0.05
    assert rejected_units / trials <= 0.085
    assert rejected_rows / trials > 0.2


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_paired_bootstrap_interval_matches_scipy_bootstrap_of_the_difference(method):
    x, y = _related(30, 17, rho=0.6)
    other = x + np.random.default_rng(18).normal(size=30)
    rows = rows_function(method)
    reference = stats.bootstrap(
        (x, y, other), lambda a, b, c, axis=-1: rows(a, b) - rows(c, b), paired=True, vectorized=True,
        n_resamples=1200, method="BCa", rng=np.random.default_rng(19),
    ).confidence_interval
    ours = paired_bootstrap(method, x, y, other, y, 1200, np.random.default_rng(19))
    assert ours.ci_method == "bca"
    assert ours.ci_low == pytest.approx(reference.low, abs=1e-10)
    assert ours.ci_high == pytest.approx(reference.high, abs=1e-10)


def test_weighted_tau_bca_interval_matches_scipy():
    x, y = _related(20, 20)
    reference = stats.bootstrap(
        (x, y), lambda a, b: stats.weightedtau(a, b).statistic, paired=True, vectorized=False,
        n_resamples=400, method="BCa", rng=np.random.default_rng(21),
    ).confidence_interval
    ours = bootstrap_interval("weighted_tau", x, y, 400, np.random.default_rng(21))
    assert ours.low == pytest.approx(reference.low, abs=1e-10)
    assert ours.high == pytest.approx(reference.high, abs=1e-10)


@pytest.mark.parametrize("method,variance", [("spearman", lambda n: 1.06 / (n - 3)), ("kendall", lambda n: 0.437 / (n - 4))])
def test_fisher_z_variances_for_rank_correlations_by_hand(method, variance):
    test = fisher_z(0.6, 30, 0.1, 45, method)
    z = (math.atanh(0.6) - math.atanh(0.1)) / math.sqrt(variance(30) + variance(45))
    assert test.z == pytest.approx(z, abs=1e-12)
    assert test.p == pytest.approx(2 * stats.norm.sf(abs(z)), abs=1e-12)


# --- the ops and the syntax that selects them ---------------------------------------------


def _artifact(tmp_path, name: str, result: dict) -> Artifact:
    path = tmp_path / name
    path.mkdir()
    (path / RESULT_FILE).write_text(json.dumps(result), encoding="utf-8")
    return Artifact(name, path)


def _op_inputs(tmp_path):
    """Real artifacts of 4 intermediates x 2 targets x 2 seeds, and a size covariate."""
    rng = np.random.default_rng(22)
    units, targets, languages = ["nli@en", "qa@en", "nli@*", "qa@*"], ["pos", "ner"], ["en", "qaa", "qab"]
    text = {u: {t: float(rng.normal()) for t in targets} for u in units}
    size = {u: {t: 100.0 * (i + 1) for t in targets} for i, u in enumerate(units)}
    runs, baselines, rows = [], [], []
    for t in targets:
        for seed in (1, 2):
            baselines.append(_artifact(tmp_path, f"base-{t}-{seed}", {"task": t, "train_languages": ["en"], "metric": "accuracy",
                                                                       "scores": {lang: 0.5 for lang in languages}}))
            for u in units:
                scores = {lang: 0.5 + 0.05 * text[u][t] + 0.01 * float(rng.normal()) for lang in languages}
                rows.append({"intermediate": u, "target": t, "seed": seed, "run": len(runs), "baseline": len(baselines) - 1})
                runs.append(_artifact(tmp_path, f"run-{u}-{t}-{seed}", {"task": t, "train_languages": ["en"], "metric": "accuracy", "scores": scores}))
    gains = get_op("stats.gains").fn(StepContext("gains", {"rows": rows}, {"runs": tuple(runs), "baselines": tuple(baselines)}, tmp_path))
    similarities = (_artifact(tmp_path, "sim-text", {"values": text, "measure": "text_embedding", "direction": "similarity"}),
                    _artifact(tmp_path, "sim-size", {"values": size, "measure": "size", "direction": "similarity"}))
    return _artifact(tmp_path, "gains", gains), similarities, units


def test_correlate_op_reads_per_seed_gains_and_controls_for_a_covariate(tmp_path):
    gains, similarities, units = _op_inputs(tmp_path)
    params = {"methods": ["spearman"], "similarities": ["text", "size"], "per": "pooled", "compare": [["english", "multilingual"]],
              "settings": {"unit": "seed", "partial": "size", "permutation": 500, "bootstrap": 200},
              "sets": {"english": units[:2], "multilingual": units[2:]}}
    result = get_op("stats.correlate").fn(StepContext("correlate", params, {"gains": gains, "similarities": similarities}, tmp_path))
    pooled = next(r for r in result["rows"] if (r["similarity"], r["scope"]) == ("text", "all"))
    # every (intermediate, target, zero-shot language, seed): 4 x 2 x 2 x 2 rows, 16 units of 2 seeds
    assert (pooled["n"], pooled["units"], pooled["p_method"]) == (32, 16, "blocked unit-level monte carlo")
    assert pooled["r"] > 0.5  # the gains were built from the text similarity
    (partial,) = [r for r in result["partial"] if r["scope"] == "all"]
    assert (partial["similarity"], partial["covariate"], partial["n"]) == ("text", "size", 16)
    params["settings"] = {"partial": "lexicon"}
    with pytest.raises(UserError, match="not a similarity of this correlate statement"):
        get_op("stats.correlate").fn(StepContext("correlate", params, {"gains": gains, "similarities": similarities}, tmp_path))


def test_the_language_accepts_every_statistics_setting(tmp_path):
    text = (Path(__file__).parents[1] / "experiments" / "quickstart.xitt").read_text(encoding="utf-8")
    text = text.replace(
        "correlate spearman(similarity.*, gain) per target with permutation(1000)",
        "correlate pearson, kendall, weighted_tau(similarity.*, gain) per pooled\n"
        "    with permutation(10000), bootstrap(2000), adjust(bh), seed(3), confidence(0.9), blocked(target), unit(seed), partial(vocab), top(2)",
    )
    path = tmp_path / "study.xitt"
    path.write_text(text, encoding="utf-8")
    correlation = load_program(path).correlations[0]
    options = study.Options.of(correlation.methods, correlation.per, correlation.settings)
    assert options == study.Options(("pearson", "kendall", "weighted_tau"), "pooled", permutations=10000, bootstrap=2000,
                                    adjust="bh", seed=3, level=0.9, blocked="target", top=2, unit="seed", partial="vocab")
    # every setting is held by exactly one field, filled by name
    held = [f.metadata["setting"] for f in dataclasses.fields(study.Options) if "setting" in f.metadata]
    assert sorted(held) == sorted(SETTINGS)
    assert options.alpha == 0.05
