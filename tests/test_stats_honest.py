"""Issue 20: ties at r = 0, degenerate inputs, measure directions, what a comparison row
prints, `compare` alone, honest power and the one-sentence answer."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from scipy import stats

import xitt.ops.statistics  # noqa: F401  (registers the stats ops)
from xitt.engine.registry import StepContext, get_op
from xitt.engine.store import RESULT_FILE, Artifact
from xitt.measures import MEASURES, kind_of
from xitt.measures.kinds import DIRECTIONS, Kind, oriented
from xitt.signature import with_defaults
from xitt.stats import study
from xitt.stats.compare import paired_mean_difference
from xitt.stats.correlation import correlate
from xitt.stats.partial import partial_correlation
from xitt.stats.power import interval_flag, smallest_p
from xitt.stats.resampling import permutation_test

# --- p = 1 at r = 0, whatever the ties ----------------------------------------------------

ZERO = {  # x, y with Pearson, Spearman and Kendall all exactly 0
    "no ties": ([1, 2, 3, 4], [2, 4, 1, 3]),
    "ties in x": ([1, 1, 2, 2], [1, 4, 2, 3]),
    "ties in y": ([1, 4, 2, 3], [1, 1, 2, 2]),
    "ties in both": ([1, 1, 2, 2], [1, 2, 1, 2]),
}


@pytest.mark.parametrize("case", ZERO)
@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_r_zero_gives_p_one_in_exact_and_monte_carlo_tests(case, method):
    x, y = (np.array(v, dtype=float) for v in ZERO[case])
    assert abs(stats.pearsonr(x, y).statistic) < 1e-15 and abs(stats.kendalltau(x, y).statistic) < 1e-15
    exact = permutation_test(method, x, y, 1000, np.random.default_rng(0))
    monte_carlo = permutation_test(method, x, y, 10, np.random.default_rng(0))  # 4! = 24 orderings > 10
    assert (exact.kind, exact.p) == ("exact", 1.0)
    assert (monte_carlo.kind, monte_carlo.p) == ("monte carlo", 1.0)
    assert correlate(method, x, y, permutations=1000).p == 1.0


@pytest.mark.parametrize("case", ZERO)
@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_r_zero_gives_p_one_in_blocked_tests(case, method):
    x, y = (np.array(v * 2, dtype=float) for v in ZERO[case])  # two blocks, each with r = 0, same means
    blocks = ["a"] * 4 + ["b"] * 4
    assert permutation_test(method, x, y, 1000, np.random.default_rng(0), blocks).p == 1.0  # 24^2 = 576 orderings: exact
    blocked = permutation_test(method, x, y, 50, np.random.default_rng(0), blocks)
    assert (blocked.kind, blocked.p) == ("blocked monte carlo", 1.0)


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_r_zero_gives_p_one_in_unit_level_tests(method):
    # the case: every unit's two seeds have gains 1 and 2, so r = 0 and every shuffle gives 0
    x = np.array([1, 1, 2, 2, 3, 3, 4, 4], dtype=float)
    y = np.array([1, 2, 1, 2, 1, 2, 1, 2], dtype=float)
    clusters = np.repeat(list("abcd"), 2)
    exact = permutation_test(method, x, y, 1000, np.random.default_rng(0), clusters=clusters)
    monte_carlo = permutation_test(method, x, y, 10, np.random.default_rng(0), clusters=clusters)
    assert (exact.kind, exact.p) == ("unit-level exact", 1.0)
    assert (monte_carlo.kind, monte_carlo.p) == ("unit-level monte carlo", 1.0)
    blocked = permutation_test(method, np.tile(x, 2), np.tile(y, 2), 10, np.random.default_rng(0), ["s"] * 8 + ["t"] * 8,
                               clusters=np.concatenate([clusters, np.repeat(list("efgh"), 2)]))
    assert (blocked.kind, blocked.p) == ("blocked unit-level monte carlo", 1.0)


def test_a_tie_with_the_observed_value_still_counts_away_from_zero():
    # Pearson of x with every reordering of y, by scipy; |r| equal up to rounding counts as reaching it
    x, y = np.array([0.1, 0.2, 0.3, 0.7]), np.array([0.3, 0.1, 0.2, 0.6])
    observed = abs(stats.pearsonr(x, y).statistic)
    null = np.array([abs(stats.pearsonr(x, y[list(o)]).statistic) for o in itertools.permutations(range(4))])
    expected = np.mean(null >= observed - 1e-12)
    assert permutation_test("pearson", x, y, 1000, np.random.default_rng(0)).p == pytest.approx(expected, abs=1e-12)


# --- degenerate inputs are undefined, with the reason ---------------------------------------


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_partial_correlation_is_undefined_when_x_is_a_linear_function_of_the_covariate(method):
    result = partial_correlation([1, 2, 3, 4], [3, 1, 4, 2], [10, 20, 30, 40], method)  # the case
    assert (result.r, result.p) == (None, None)
    assert "similarity is a" in result.reason and "function of the covariate" in result.reason
    collinear_y = partial_correlation([3, 1, 4, 2, 5], [2, 4, 6, 8, 10], [1, 2, 3, 4, 5], method)
    assert collinear_y.r is None and "gain is a" in collinear_y.reason


def test_spearman_partial_correlation_is_undefined_for_a_monotone_covariate():
    x, y, z = [1, 2, 3, 4, 5], [3, 1, 4, 2, 5], [1, 4, 9, 16, 40]  # x = a monotone, non-linear function of z
    spearman = partial_correlation(x, y, z, "spearman")
    assert spearman.r is None and "monotone function" in spearman.reason
    pearson = partial_correlation(x, y, z, "pearson")  # the linear fit leaves a residual: Pearson's partial exists
    assert pearson.r is not None and pearson.reason == ""


def test_partial_correlation_needs_a_degree_of_freedom_and_a_varying_variable():
    assert "no degree of freedom" in partial_correlation([1, 2, 3], [3, 1, 2], [5, 1, 4]).reason
    assert "is constant" in partial_correlation([1, 2, 3, 4, 5], [2, 2, 2, 2, 2], [5, 1, 4, 2, 3]).reason


def test_undefined_correlations_say_why():
    assert "fewer than 3 points" in correlate("spearman", [1, 2], [3, 4]).reason
    assert correlate("pearson", [1, 1, 1, 1], [1, 2, 3, 4]).reason == "every similarity is the same"
    assert correlate("pearson", [0.1 + 0.2, 0.3, 0.3, 0.3], [1, 2, 3, 4]).r is None  # equal up to rounding
    assert correlate("pearson", [1, 2, 3, 4], [5, 5, 5, 5]).reason == "every gain is the same"


# --- directions --------------------------------------------------------------------------


def _choices(measure: str) -> list[dict]:
    """Every value of a measure's choice-valued ``measure`` parameter (the only one that changes its kind)."""
    signature = MEASURES[measure]
    if "measure" not in signature:
        return [with_defaults(signature, {})]
    return [with_defaults(signature, {"measure": choice}) for choice in signature["measure"].choices]


def test_every_measure_declares_a_direction():
    for measure in MEASURES:
        for params in _choices(measure):
            kind = kind_of(measure, params)
            assert kind.direction in DIRECTIONS, (measure, params)
    with pytest.raises(ValueError, match="direction"):
        Kind("closeness", 0.0, 1.0)
    with pytest.raises(ValueError, match="declares no direction"):
        oriented({"values": {"a": {"t": 1.0}}, "measure": "mystery"})


def _artifact(tmp_path, name: str, result: dict) -> Artifact:
    path = tmp_path / name
    path.mkdir()
    (path / RESULT_FILE).write_text(json.dumps(result), encoding="utf-8")
    return Artifact(name, path)


def _study_inputs(tmp_path, intermediates: int = 6, seed: int = 3, noise: float = 0.01):
    """Real artifacts: gains that fall with a divergence, the divergence, and its negation as a similarity."""
    rng = np.random.default_rng(seed)
    units = [f"t{i}@en" for i in range(intermediates)] + [f"t{i}@*" for i in range(intermediates)]
    targets, languages = ["pos", "ner"], ["en", "qaa", "qab"]
    divergence = {u: {t: float(rng.uniform(0.1, 0.9)) for t in targets} for u in units}
    runs, baselines, rows = [], [], []
    for t in targets:
        baselines.append(_artifact(tmp_path, f"base-{t}", {"task": t, "train_languages": ["en"], "metric": "accuracy",
                                                           "scores": {lang: 0.5 for lang in languages}}))
        for u in units:
            scores = {lang: 0.6 - 0.1 * divergence[u][t] + noise * float(rng.normal()) for lang in languages}
            rows.append({"intermediate": u, "target": t, "seed": 1, "run": len(runs), "baseline": len(baselines) - 1})
            runs.append(_artifact(tmp_path, f"run-{u}-{t}", {"task": t, "train_languages": ["en"], "metric": "accuracy", "scores": scores}))
    gains = get_op("stats.gains").fn(StepContext("gains", {"rows": rows}, {"runs": tuple(runs), "baselines": tuple(baselines)}, tmp_path))
    negated = {u: {t: -v for t, v in row.items()} for u, row in divergence.items()}
    similarities = (
        _artifact(tmp_path, "sim-js", {"values": divergence, "measure": "vocabulary", "direction": "distance", "range": [0, 1]}),
        _artifact(tmp_path, "sim-neg", {"values": negated, "measure": "negated", "direction": "similarity", "range": [-1, 0]}),
    )
    return _artifact(tmp_path, "gains", gains), similarities, units, divergence


def _correlate(tmp_path, per: str = "target", methods=("spearman",), settings=None, compare=(("english", "multilingual"),), noise=0.01):
    gains, similarities, units, divergence = _study_inputs(tmp_path, noise=noise)
    half = len(units) // 2
    params = {"methods": list(methods), "similarities": ["js", "neg"], "per": per, "compare": [list(c) for c in compare],
              "settings": {"permutation": 2000, "bootstrap": 500, **(settings or {})},
              "sets": {"english": units[:half], "multilingual": units[half:]}}
    return get_op("stats.correlate").fn(StepContext("correlate", params, {"gains": gains, "similarities": similarities}, tmp_path)), divergence


def test_a_distance_and_its_negation_give_the_same_correlations_and_rankings(tmp_path):
    result, divergence = _correlate(tmp_path, settings={"bootstrap": 0})
    # before the direction was applied the raw divergence correlated with the opposite sign
    gains = {(r["intermediate"], r["target"]): r["gain"] for r in json.loads((tmp_path / "gains" / RESULT_FILE).read_text())["summary"]}
    units = sorted(divergence)
    raw = stats.spearmanr([divergence[u]["pos"] for u in units], [gains[(u, "pos")] for u in units]).statistic
    assert raw < -0.5
    by = {(r["similarity"], r["scope"], r["group"]): r for r in result["rows"]}
    for (name, scope, group), row in by.items():
        if name == "js":
            twin = by[("neg", scope, group)]
            assert (row["r"], row["p"]) == (twin["r"], twin["p"])
    assert by[("js", "all", "pos")]["r"] == pytest.approx(-raw, abs=1e-12) and by[("js", "all", "pos")]["r"] > 0.5
    ranking = {(r["similarity"], r["scope"], r["target"]): r for r in result["ranking"]}
    for key, row in ranking.items():
        if key[0] == "js":
            twin = ranking[("neg", *key[1:])]
            assert {k: v for k, v in row.items() if k != "similarity"} == {k: v for k, v in twin.items() if k != "similarity"}


def test_the_ranking_recommends_the_closest_task(tmp_path):
    result, divergence = _correlate(tmp_path, settings={"bootstrap": 0}, noise=0.0)  # the gain falls with the divergence
    gains = {(r["intermediate"], r["target"]): r["gain"] for r in json.loads((tmp_path / "gains" / RESULT_FILE).read_text())["summary"]}
    for target in ("pos", "ner"):
        closest = min(divergence, key=lambda u: divergence[u][target])
        assert closest == max(divergence, key=lambda u: gains[(u, target)])
        row = next(r for r in result["ranking"] if (r["similarity"], r["scope"], r["target"]) == ("js", "all", target))
        assert row["best_rank"] == 1 and row["regret_at_1"] == 0.0 and row["ndcg_at_k"] == pytest.approx(1.0)
        by = {(r["scope"], r["group"]): r for r in result["rows"] if r["similarity"] == "js"}
        assert by[("all", target)]["r"] == pytest.approx(1.0)  # closer (lower divergence) = more gain: r = +1


def test_oriented_keeps_the_measured_values_and_says_what_it_did():
    result = oriented({"values": {"a": {"t": 0.25}}, "measure": "vocabulary", "direction": "distance"})
    assert result["values"] == {"a": {"t": -0.25}} and result["measured"] == {"a": {"t": 0.25}}
    assert result["orientation"] == "negated distance" and "higher = closer" in result["label"]
    assert oriented(result) == result  # applied once: reading it again changes nothing
    same = oriented({"values": {"a": {"t": 0.25}}, "measure": "text_embedding", "direction": "similarity"})
    assert same["values"] == {"a": {"t": 0.25}} and same["orientation"] == "as measured"


# --- what a comparison row prints is what it tests ------------------------------------------


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("per", ["target", "pooled"])
def test_the_printed_difference_is_the_tested_one_and_lies_in_its_interval(seed, per):
    rng = np.random.default_rng(seed)
    tasks = [f"t{i}" for i in range(8)]
    units = [f"{t}@en" for t in tasks] + [f"{t}@*" for t in tasks] + ["extra@en"]  # one English task without a twin
    targets, languages = ["a", "b"], ["x", "y"]
    similarity = {u: {t: float(rng.normal()) for t in targets} for u in units}
    per_language = {(u, t, lang): 0.1 * similarity[u][t] + 0.1 * float(rng.normal()) for u in units for t in targets for lang in languages}
    gains = {(u, t): float(np.mean([per_language[(u, t, lang)] for lang in languages])) for u in units for t in targets}
    data = study.Data(gains, per_language, {"s": similarity}, {"all": units, "english": units[:8] + units[-1:], "multilingual": units[8:16]},
                      {k: 0.5 + v for k, v in gains.items()})
    options = study.Options.of(["spearman"], per, {"bootstrap": 400, "permutation": 400, "seed": seed})
    result = study.report(data, options, [["english", "multilingual"]])
    for c in result["comparisons"]:
        assert c["test"] == "paired bootstrap" and c["n_shared"] == (8 if per == "target" else 8 * 2 * 2)
        assert c["difference"] == pytest.approx(c["r_left"] - c["r_right"], abs=1e-12)
        assert c["ci_low"] - 1e-12 <= c["difference"] <= c["ci_high"] + 1e-12
        english_all = next(r for r in result["rows"] if (r["scope"], r["group"]) == ("english", c["group"]))
        assert english_all["n"] == c["n_shared"] + (1 if per == "target" else 4)  # the table's r is on shared units, not all


# --- compare alone compares the gains -------------------------------------------------------


def test_paired_mean_difference_by_hand():
    d = np.array([0.3, -0.1, 0.2, 0.4])
    result = paired_mean_difference(d, 1000, np.random.default_rng(0))
    flips = [abs(np.mean(d * np.array(s))) for s in itertools.product([-1, 1], repeat=4)]
    assert result.difference == pytest.approx(0.2)
    assert result.test == "sign-flip exact" and result.p == pytest.approx(np.mean(np.array(flips) >= 0.2 - 1e-12))
    assert result.ci_low <= 0.2 <= result.ci_high
    zero = paired_mean_difference(np.array([0.1, -0.1, 0.2, -0.2]), 1000, np.random.default_rng(0))
    assert zero.p == 1.0


def test_compare_alone_reports_the_gains_paired_by_target_and_language(tmp_path):
    gains, similarities, units, _ = _study_inputs(tmp_path)
    params = {"methods": [], "similarities": [], "per": "target", "compare": [["english", "multilingual"]],
              "settings": {"bootstrap": 500}, "sets": {"english": units[:6], "multilingual": units[6:]}}
    result = get_op("stats.correlate").fn(StepContext("compare", params, {"gains": gains, "similarities": ()}, tmp_path))
    assert result["kind"] == "gains" and result["rows"] == []
    table = json.loads((tmp_path / "gains" / RESULT_FILE).read_text())["per_language"]
    cell = {(r["intermediate"], r["target"], r["language"]): r["gain"] for r in table}
    pooled = next(c for c in result["gain_comparisons"] if c["group"] == "pooled")
    expected = np.mean([cell[(f"t{i}@en", t, lang)] - cell[(f"t{i}@*", t, lang)] for i in range(6) for t in ("pos", "ner") for lang in ("qaa", "qab")])
    assert pooled["difference"] == pytest.approx(expected, abs=1e-12) and pooled["n_cells"] == 6 * 2 * 2 and pooled["units"] == 6
    assert {c["group"] for c in result["gain_comparisons"]} == {"pos", "ner", "pooled"}
    assert "Multilingual intermediate tasks (instead of english)" in result["answer"] and "CI" in result["answer"]


def test_compare_without_correlate_compiles_to_a_step(tmp_path):
    from xitt.compile import compile_program
    from xitt.lang import load_program

    path = tmp_path / "c.xitt"
    path.write_text(
        "experiment c\nworld toy(languages: 3, seed: 3, train_size: 50, eval_size: 20, corpus_size: 200)\n"
        "model base = toy_mlm(layers: 1, hidden: 16, heads: 2, vocab_size: 200, pretrain_steps: 2, batch: 8)\n"
        "tasks english = toy.{nli, sentiment} @ en\ntasks multilingual = toy.{nli, sentiment} @ *\n"
        "tasks targets = toy.pos train @ en eval @ *\ncompare english vs multilingual\n", encoding="utf-8")
    compiled = compile_program(load_program(path))
    (step,) = [s for s in compiled.graph.steps if s.id in compiled.correlations]
    assert step.op == "stats.correlate" and step.params["methods"] == [] and step.params["compare"] == [["english", "multilingual"]]


# --- honest power -----------------------------------------------------------------------------


def test_smallest_reachable_p_by_hand():
    assert smallest_p("spearman", [3], 1000) == pytest.approx(2 / 6)
    assert smallest_p("pearson", [3], 1000) == pytest.approx(1 / 6)
    assert smallest_p("spearman", [8], 1000) == pytest.approx(1 / 1001)  # 8! orderings > 1000: Monte Carlo
    assert smallest_p("spearman", [8], 100_000) == pytest.approx(2 / 40320)
    assert smallest_p("spearman", [3, 3], 1000) == pytest.approx(1 / 36)
    assert smallest_p("spearman", [5], 0) is None


def test_three_units_warn_that_no_p_can_be_significant_and_eight_do_not(tmp_path):
    rng = np.random.default_rng(1)
    for count, warned in ((3, True), (8, False)):
        units = [f"t{i}@en" for i in range(count)]
        similarity = {u: {"a": float(rng.normal())} for u in units}
        per_language = {(u, "a", "x"): similarity[u]["a"] for u in units}
        gains = {(u, "a"): g for (u, _, _), g in per_language.items()}
        data = study.Data(gains, per_language, {"s": similarity}, {"all": units}, {k: 0.5 + v for k, v in gains.items()})
        (row,) = study.report(data, study.Options.of(["spearman"], "target", {"permutation": 100_000, "bootstrap": 200}))["rows"]
        assert (row["power_note"] != "") == warned
        assert row["p_smallest"] == pytest.approx(2 / {3: 6, 8: 40320}[count])
        if warned:
            assert "smallest reachable p is 0.333 > alpha 0.05" in row["power_note"]
            assert row["p"] >= row["p_smallest"]


def test_degenerate_intervals_are_flagged():
    assert "collapsed" in interval_flag(1.0, 1.0)
    assert "spans most" in interval_flag(-0.95, 0.9)
    assert interval_flag(0.1, 0.6) == "" and interval_flag(None, None) == ""
    assert "reaches the edge" in interval_flag(0.78, 1.0) and "reaches the edge" in interval_flag(-2.0, 0.0, span=4.0)
    assert interval_flag(-1.2, 0.5, span=4.0) == ""


def test_the_pooled_comparison_answers_in_one_sentence_with_its_interval(tmp_path):
    result, _ = _correlate(tmp_path, per="pooled", settings={"bootstrap": 300, "permutation": 300})
    pooled = [c for c in result["comparisons"] if c["similarity"] == "js"]
    assert [c["group"] for c in pooled] == ["pooled"] and pooled[0]["n_shared"] == 6 * 2 * 2
    answer = result["answer"]
    assert answer.startswith("Multilingual intermediate tasks (instead of english)") and "pooled Spearman correlation of js similarity" in answer
    d = -pooled[0]["difference"]
    assert f"{d:+.2f} [{-pooled[0]['ci_high']:+.2f}, {-pooled[0]['ci_low']:+.2f}] (95% CI" in answer
    rows = [r for r in result["rows"] if r["scope"] == "all" and r["similarity"] == "js"]
    assert rows[0]["p_method"] == "blocked monte carlo" and rows[0]["n"] == 12 * 2 * 2


def test_plan_states_the_floor_of_p_before_anything_runs():
    from xitt.stats.power import planned

    zero_shot = {"nli": ["qaa", "qab", "qac"], "pos": ["qaa", "qab", "qac"]}
    rows = planned("target", ["spearman"], 2, {"permutation": 1000}, {"all": 6, "english": 3, "multilingual": 3}, zero_shot)
    by = {(r["scope"], r["group"]): r for r in rows}
    assert by[("english", "nli")]["p_smallest"] == pytest.approx(1 / 3) and "0.333 > alpha 0.05" in by[("english", "nli")]["power_note"]
    assert by[("all", "nli")]["p_smallest"] == pytest.approx(2 / 720)
    assert by[("all", "nli")]["p_smallest_adjusted"] == pytest.approx(2 / 720 * 12)  # holm over 2 measures x 6 groups
    eight = planned("target", ["spearman"], 1, {"permutation": 1000}, {"english": 8}, zero_shot)
    assert all(r["p_smallest"] == pytest.approx(1 / 1001) and r["power_note"] == "" for r in eight)
    (pooled,) = planned("pooled", ["spearman"], 1, {"permutation": 1000}, {"all": 3}, zero_shot)
    assert pooled["p_smallest"] == pytest.approx(1 / 1001)  # 6 blocks of 3: 6^6 orderings, Monte Carlo


def test_english_and_multilingual_forms_of_a_unit_share_their_task():
    assert study.task_of("nli@en") == study.task_of("nli@*") == study.task_of("nli@en+qaa") == "nli"
    assert study.task_of("mix(nli@en,qa@en)") == study.task_of("mix[uniform](nli@*,qa@*)".replace("[uniform]", "")) == "mix(nli,qa)"


def test_xitt_plan_prints_the_floor_of_each_test_and_warns(tmp_path):
    import os
    import subprocess
    import sys

    path = tmp_path / "p.xitt"
    path.write_text(
        "experiment p\nworld toy(languages: 3, seed: 3, train_size: 50, eval_size: 20, corpus_size: 200)\n"
        "model base = toy_mlm(layers: 1, hidden: 16, heads: 2, vocab_size: 200, pretrain_steps: 2, batch: 8)\n"
        "tasks english = toy.{nli, sentiment, paraphrase} @ en\ntasks targets = toy.pos train @ en eval @ *\n"
        "similarity v = vocabulary()\ncorrelate spearman(similarity.*, gain) per target with permutation(1000)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "xitt.cli", "plan", str(path)], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "100"})
    assert done.returncode == 0, done.stderr
    (line,) = [li for li in done.stdout.splitlines() if li.startswith("smallest p: ")]
    assert line.startswith("smallest p: correlate 1 (per target), set all, pos, spearman, 3 units: 0.333; ")
    assert "0.333 > alpha 0.05 with 3 units" in line and "\t" not in line


def test_the_answer_names_a_degenerate_interval():
    from xitt.stats.answer import correlation_answer

    row = {"group": "pooled", "similarity": "text", "method": "spearman", "left": "english", "right": "multilingual",
           "r_left": 0.1, "r_right": 0.5, "difference": -0.4, "ci_low": -2.0, "ci_high": -0.1, "p": 0.03,
           "ci_flag": interval_flag(-2.0, -0.1, span=4.0)}
    answer = correlation_answer([row], 0.95)
    assert "raise the pooled Spearman correlation of text similarity" in answer and "+0.40 [+0.10, +2.00] (95% CI, p = 0.03)" in answer
    assert answer.endswith("Caution: the interval reaches the edge of the possible range (resamples that repeat a few points give "
                           "|r| = 1; too few units for a reliable interval).")


def test_compare_alone_is_reported_with_its_answer(tmp_path):
    from rich.console import Console

    from xitt.report import StudyResults
    from xitt.report.files import write_report
    from xitt.report.terminal import summary

    gains, _, units, _ = _study_inputs(tmp_path)
    params = {"methods": [], "similarities": [], "per": "target", "compare": [["english", "multilingual"]],
              "settings": {"bootstrap": 300}, "sets": {"english": units[:6], "multilingual": units[6:]}}
    result = get_op("stats.correlate").fn(StepContext("compare", params, {"gains": gains, "similarities": ()}, tmp_path))
    study_results = StudyResults("c", gains.result, {}, [result], {"gains": "gains", "similarities": {}, "correlations": ["compare"]},
                                 {"gains": "k1", "compare": "k2"}, params["sets"])
    console = Console(width=100, record=True)
    console.print(summary(study_results, 100))
    text = console.export_text()
    assert "do the gains differ? english vs multilingual" in text and "pooled" in text
    assert "Answer: Multilingual intermediate tasks (instead of english)" in text and "mean zero-shot gain" in " ".join(text.split())
    files = write_report(tmp_path / "report", study_results)
    markdown = files.markdown.read_text() if hasattr(files, "markdown") else (tmp_path / "report" / "report.md").read_text()
    assert "**Answer:** Multilingual" in markdown and "## Gains: english vs multilingual" in markdown
    assert (tmp_path / "report" / "gain_comparisons.csv").read_text().count("\n") == 1 + 3  # ner, pos, pooled


def test_a_cluster_bootstrap_over_one_cluster_is_undefined_with_its_reason():
    """A pooled correlation over one intermediate task has one cluster: no interval, a reason, no crash."""
    from xitt.stats.resampling import bootstrap_interval

    ci = bootstrap_interval("spearman", [1, 2, 3, 4], [2, 1, 4, 3], 200, np.random.default_rng(0), clusters=["a"] * 4)
    assert (ci.low, ci.high, ci.method) == (None, None, "none")
    assert "at least 2 clusters" in ci.note


def test_sets_that_share_no_task_give_no_untested_answer():
    """compare A vs B where the sets share no task (xtreme_r's English vs translate-train names):
    no difference is stated as an answer; the sentence says it could not be compared, and why."""
    from xitt.stats.answer import correlation_answer, gain_answer

    assert gain_answer([], 0.95, [["english", "multilingual"]]).startswith(
        "The zero-shot gains of multilingual and english intermediate tasks could not be compared: the sets share no intermediate task")
    untested = {"group": "pooled", "left": "english", "right": "multilingual", "method": "spearman", "similarity": "text",
                "r_left": 0.9, "r_right": -0.97, "difference": 1.87, "p": None, "ci_low": None, "ci_high": None,
                "reason": "the sets share 0 intermediate task(s), fewer than the 3 a paired test needs, and are too small for Fisher's z"}
    sentence = correlation_answer([untested], 0.95)
    assert "could not be compared" in sentence and "1.87" not in sentence and "share 0 intermediate" in sentence
