"""Gains against the no-intermediate baseline, and their correlation with similarities."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

from xitt.engine.registry import StepContext, op
from xitt.ops.libraries import STATS_LIBRARIES
from xitt.errors import UserError
from xitt.measures.kinds import oriented
from xitt.study import CorrelateStep, GainsStep
from xitt.stats import adjust, coefficients, compare, correlation, partial, ranking, resampling, study


@op("stats.gains", libraries=STATS_LIBRARIES, params=GainsStep)
def gains(ctx: StepContext) -> dict:
    from xitt.stats.gains import gain_table, zero_shot_summary

    step = GainsStep.from_json(ctx.params)
    runs = [a.result for a in ctx.inputs["runs"]]
    baselines = [a.result for a in ctx.inputs["baselines"]]
    table = gain_table(step.rows, [r["scores"] for r in runs], [b["scores"] for b in baselines])
    sources = {r["task"]: r["train_languages"] for r in [*runs, *baselines]}
    per_language: dict[tuple, list[float]] = defaultdict(list)
    for rec in table:
        per_language[(rec["intermediate"], rec["target"], rec["language"])].append(rec["gain"])
    baseline_scores: dict[tuple, list[float]] = defaultdict(list)
    for b in baselines:
        for language, score in b["scores"].items():
            baseline_scores[(b["task"], language)].append(score)
    return {
        "table": table,
        "summary": zero_shot_summary(table, sources),
        "per_language": [
            {"intermediate": i, "target": t, "language": lang, "gain": mean(v)} for (i, t, lang), v in per_language.items()
        ],
        "baseline": [{"target": t, "language": lang, "score": mean(v)} for (t, lang), v in baseline_scores.items()],
        "train_languages": sources,
        "metrics": {r["task"]: r["metric"] for r in runs},
        **({"coverage": dict(step.coverage)} if step.coverage else {}),
        **_unscored(runs, baselines, sources),
    }


def _unscored(runs: list[dict], baselines: list[dict], sources: dict) -> dict:
    """Targets scored in no zero-shot language (every evaluated language is one they were
    trained in): no gain to report, said so rather than dropped."""
    found = sorted({b["task"] for b in [*runs, *baselines] if not set(b["scores"]) - set(sources[b["task"]])})
    return {"no_zero_shot": found} if found else {}


def study_data(step: CorrelateStep, gain_result: dict, similarities: dict) -> "study.Data":
    """The plain tables the study needs: zero-shot gains (source languages left out),
    seed-averaged and per seed, the similarity values, the scopes ("all" and each set
    when there are several), and performance after transfer (zero-shot baseline score +
    gain) for the ranking metrics."""
    sources = gain_result["train_languages"]
    gains = {(r["intermediate"], r["target"]): r["gain"] for r in gain_result["summary"]}
    per_language = {
        (r["intermediate"], r["target"], r["language"]): r["gain"]
        for r in gain_result["per_language"] if r["language"] not in sources.get(r["target"], ())
    }
    per_seed = {
        (r["intermediate"], r["target"], r["language"], r["seed"]): r["gain"]
        for r in gain_result["table"] if r["language"] not in sources.get(r["target"], ())
    }
    baseline: dict[str, list[float]] = defaultdict(list)
    for b in gain_result["baseline"]:
        if b["language"] not in sources.get(b["target"], ()):
            baseline[b["target"]].append(b["score"])
    performance = {(u, t): mean(baseline[t]) + g for (u, t), g in gains.items() if baseline[t]}
    sets = step.sets
    scopes = {"all": sorted({u for u, _ in gains}), **({name: list(units) for name, units in sets.items()} if len(sets) > 1 else {})}
    return study.Data(gains, per_language, similarities, scopes, performance, per_seed)


@op("stats.correlate", params=CorrelateStep, helpers=[study_data, oriented, study, correlation, resampling, coefficients, compare, adjust, partial, ranking], libraries=STATS_LIBRARIES)
def correlate(ctx: StepContext) -> dict:
    """Correlations of each similarity with the gains, with p, CI, comparisons and ranking quality."""
    step = CorrelateStep.from_json(ctx.params)
    similarities = {name: oriented(artifact.result)["values"] for name, artifact in zip(step.similarities, ctx.inputs["similarities"])}
    data = study_data(step, ctx.inputs["gains"].result, similarities)
    options = study.Options.of(step.methods, step.per, step.settings)
    if options.partial != "none" and options.partial not in similarities:
        raise UserError(
            f"partial({options.partial}): '{options.partial}' is not a similarity of this correlate statement",
            hint=f"control for one of {', '.join(similarities)}, e.g. declare `similarity data = size(measure: size)`, correlate similarity.* and write partial(data)",
        )
    return study.report(data, options, step.compare)
